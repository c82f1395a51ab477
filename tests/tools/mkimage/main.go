// Command mkimage packs layer tarballs into a container-image tarball, the
// way `docker save` and OCI tools lay them out, for the archive suite and the
// archive benchmark:
//
//	docker    legacy `docker save`: <id>/layer.tar, <id>/json, <id>/VERSION,
//	          <config>.json, then manifest.json and repositories last; a layer
//	          given twice is stored once and linked (as docker does)
//	oci       an OCI image layout: blobs/sha256/<digest> for the layers, the
//	          config and the manifest, then index.json and oci-layout
//	docker25  what `docker save` writes since Docker 25: the OCI layout plus
//	          a manifest.json naming the layers by their blob paths
//
// Layers are files as given (plain tar, or tar compressed with gzip or zstd;
// the media type follows the content). With -nested-index, index.json points
// to an image index blob that points to the manifest (a multi-platform image).
// Entries are written in a fixed order with fixed times, so the output is
// reproducible.
//
// Usage: mkimage -format docker|oci|docker25 [-nested-index] -o OUT LAYER…
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

var epoch = time.Unix(1700000000, 0).UTC()

// A blob is held in memory (configs, manifests) or streamed from a file
// (layers, which may be large).
type blob struct {
	digest string // hex sha256
	size   int64
	data   []byte
	path   string
	head   []byte // the first bytes, for the media type
}

func newBlob(data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{digest: hex.EncodeToString(sum[:]), size: int64(len(data)), data: data, head: data}
}

func fileBlob(path string) blob {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	h := sha256.New()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	h.Write(head[:n])
	size, err := io.Copy(h, f)
	check(err)
	return blob{digest: hex.EncodeToString(h.Sum(nil)), size: size + int64(n), path: path, head: head[:n]}
}

func (b blob) reader() io.Reader {
	if b.path == "" {
		return bytes.NewReader(b.data)
	}
	f, err := os.Open(b.path)
	check(err)
	return f // closed at exit: a handful of layers
}

func (b blob) descriptor(mediaType string) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": "sha256:" + b.digest, "size": b.size}
}

func layerMediaType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return "application/vnd.oci.image.layer.v1.tar+gzip"
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "application/vnd.oci.image.layer.v1.tar+zstd"
	}
	return "application/vnd.oci.image.layer.v1.tar"
}

type writer struct {
	tw      *tar.Writer
	written map[string]bool
}

func (w *writer) dir(name string) {
	if w.written[name] {
		return
	}
	w.written[name] = true
	check(w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: epoch}))
}

func (w *writer) file(name string, data []byte) {
	w.blob(name, newBlob(data))
}

func (w *writer) blob(name string, b blob) {
	if w.written[name] {
		return
	}
	w.written[name] = true
	check(w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: b.size, ModTime: epoch}))
	_, err := io.Copy(w.tw, b.reader())
	check(err)
}

func (w *writer) symlink(name, target string) {
	w.written[name] = true
	check(w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: epoch}))
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	check(err)
	return data
}

// config is a minimal image config: the diff IDs are digests of the
// layers as given, which is right for plain tars and enough for a reader.
func config(layers []blob) blob {
	var diffIDs []string
	for _, l := range layers {
		diffIDs = append(diffIDs, "sha256:"+l.digest)
	}
	return newBlob(mustJSON(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
	}))
}

func writeDocker(w *writer, layers []blob) {
	var paths []string
	seen := map[string]string{}
	parent := ""
	for _, l := range layers {
		// The legacy layer ID chains the parent's, so a repeated layer
		// still gets a directory of its own: linked to the first copy.
		sum := sha256.Sum256([]byte(parent + l.digest))
		id := hex.EncodeToString(sum[:])
		parent = id
		w.dir(id + "/")
		w.file(id+"/VERSION", []byte("1.0"))
		w.file(id+"/json", mustJSON(map[string]any{"id": id}))
		if first, ok := seen[l.digest]; ok {
			w.symlink(id+"/layer.tar", "../"+first+"/layer.tar")
		} else {
			w.blob(id+"/layer.tar", l)
			seen[l.digest] = id
		}
		paths = append(paths, id+"/layer.tar")
	}
	cfg := config(layers)
	w.file(cfg.digest+".json", cfg.data)
	w.file("manifest.json", mustJSON([]map[string]any{{
		"Config": cfg.digest + ".json", "RepoTags": []string{"pgo-go/test:latest"}, "Layers": paths,
	}}))
	w.file("repositories", mustJSON(map[string]any{"pgo-go/test": map[string]string{"latest": parent}}))
}

func writeOCI(w *writer, layers []blob, nestedIndex, dockerManifest bool) {
	w.dir("blobs/")
	w.dir("blobs/sha256/")
	var descs []map[string]any
	var paths []string
	for _, l := range layers {
		w.blob("blobs/sha256/"+l.digest, l)
		descs = append(descs, l.descriptor(layerMediaType(l.head)))
		paths = append(paths, "blobs/sha256/"+l.digest)
	}
	cfg := config(layers)
	w.file("blobs/sha256/"+cfg.digest, cfg.data)
	man := newBlob(mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        cfg.descriptor("application/vnd.oci.image.config.v1+json"),
		"layers":        descs,
	}))
	w.file("blobs/sha256/"+man.digest, man.data)
	top := man.descriptor("application/vnd.oci.image.manifest.v1+json")
	if nestedIndex {
		idx := newBlob(mustJSON(map[string]any{
			"schemaVersion": 2,
			"mediaType":     "application/vnd.oci.image.index.v1+json",
			"manifests":     []any{top},
		}))
		w.file("blobs/sha256/"+idx.digest, idx.data)
		top = idx.descriptor("application/vnd.oci.image.index.v1+json")
	}
	w.file("index.json", mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []any{top},
	}))
	if dockerManifest {
		w.file("manifest.json", mustJSON([]map[string]any{{
			"Config": "blobs/sha256/" + cfg.digest, "RepoTags": []string{"pgo-go/test:latest"}, "Layers": paths,
		}}))
	}
	w.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
}

func main() {
	format := flag.String("format", "oci", "docker, oci or docker25")
	out := flag.String("o", "", "output file")
	nested := flag.Bool("nested-index", false, "index.json points to an index blob")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mkimage -format docker|oci|docker25 [-nested-index] -o OUT LAYER...")
		os.Exit(2)
	}
	var layers []blob
	for _, name := range flag.Args() {
		layers = append(layers, fileBlob(name))
	}
	f, err := os.Create(*out)
	check(err)
	w := &writer{tw: tar.NewWriter(f), written: map[string]bool{}}
	switch *format {
	case "docker":
		writeDocker(w, layers)
	case "oci":
		writeOCI(w, layers, *nested, false)
	case "docker25":
		writeOCI(w, layers, *nested, true)
	default:
		fmt.Fprintf(os.Stderr, "mkimage: unknown format %q\n", *format)
		os.Exit(2)
	}
	check(w.tw.Close())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}
