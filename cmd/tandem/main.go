// Command tandem is the Tandem CRM daemon and its command-line tool: `tandem serve` runs the
// daemon; the other subcommands work on the store directly (records, properties, schemas,
// migrations) or check a configuration file.
package main

import "os"

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
