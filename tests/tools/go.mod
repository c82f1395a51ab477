module pgo-go.test/tools

go 1.26
