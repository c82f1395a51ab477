module pgo-go/unitgen

go 1.26
