#include "lazy_dl.h"

#include <dlfcn.h>
#include <stdio.h>

int lazy_load(struct lazy_lib *lib)
{
	void *h;

	if (lib->tried)
		return lib->ok ? 0 : -1;
	lib->tried = 1;
	if (!(h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(lib->error, sizeof lib->error, "cannot load %s (install %s): %s",
		         lib->soname, lib->package, dlerror());
		return -1;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *f = dlsym(h, lib->syms[i].name);
		if (!f) {
			snprintf(lib->error, sizeof lib->error, "%s lacks %s", lib->soname,
			         lib->syms[i].name);
			dlclose(h);
			return -1;
		}
		/* POSIX: a function pointer survives the trip through void *. */
		*(void **)lib->syms[i].slot = f;
	}
	lib->ok = 1;
	return 0;
}

int lazy_is_mapped(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}
