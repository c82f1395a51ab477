package main

import _ "github.com/grafana/pyroscope-go"

func main() {}
