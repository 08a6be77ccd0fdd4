package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of tandem",
		Args:  noArgs,
		RunE: a.runE(func(*cobra.Command, []string) error {
			fmt.Fprintln(a.stdout, versionString())
			return nil
		}),
	}
}

// versionString is "tandem VERSION (commit REV[, modified]) GOVERSION OS/ARCH". VERSION is set
// with -ldflags "-X main.version=..."; without it, the module version of a "go install
// ...@version" build, else "dev". The commit comes from the build's VCS information, when the
// binary was built with it.
func versionString() string {
	v := version
	var rev string
	var modified bool
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tandem %s", v)
	if rev != "" {
		if modified {
			rev += ", modified"
		}
		fmt.Fprintf(&b, " (commit %s)", rev)
	}
	fmt.Fprintf(&b, " %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return b.String()
}
