// Command apigen writes the generated half of the TypeScript binding of Mattermost's plugin API and hooks
// (packages/mattermost-plugin-node/src/mattermost/generated/) from the server/public module in go.mod:
// method order, parameter names and doc comments from plugin/api.go and plugin/hooks.go (go/parser), types
// by reflection on plugin.API and plugin.Hooks, struct wire shapes through tools/modelgen.
//
//	go run ./tools/apigen            # rewrite the files
//	go run ./tools/apigen -check     # exit 1 if a file differs from what would be written
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/mattermost/mattermost/server/public/plugin"
)

const outRel = "../../packages/mattermost-plugin-node/src/mattermost/generated"

func main() {
	out := flag.String("out", outRel, "folder of the generated files (relative to test/conformance)")
	check := flag.Bool("check", false, "compare instead of writing; exit 1 on a difference")
	flag.Parse()
	files, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(2)
	}
	stale := 0
	for _, f := range files {
		path := filepath.Join(*out, f.name)
		if *check {
			have, _ := os.ReadFile(path)
			if !bytes.Equal(have, []byte(f.text)) {
				fmt.Fprintf(os.Stderr, "apigen: %s is not what the generator writes (go run ./tools/apigen)\n", path)
				stale++
			}
			continue
		}
		if err := os.WriteFile(path, []byte(f.text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "apigen:", err)
			os.Exit(2)
		}
	}
	if stale > 0 {
		os.Exit(1)
	}
}

type file struct{ name, text string }

// generate renders every generated file; the test compares them with the committed ones.
func generate() ([]file, error) {
	dir, err := pluginDir()
	if err != nil {
		return nil, err
	}
	api, err := readInterface(dir, "api.go", "API", reflect.TypeFor[plugin.API](), "apiRPCClient")
	if err != nil {
		return nil, err
	}
	hooks, err := readInterface(dir, "hooks.go", "Hooks", reflect.TypeFor[plugin.Hooks](), "hooksRPCClient")
	if err != nil {
		return nil, err
	}
	g := newGen()
	apiTable := g.table(api, "apiMethods", "plugin.API")
	hooksTable := g.table(hooks, "hookMethods", "plugin.Hooks")
	apiClass := g.apiClass(api)
	hooksIface := g.hooksInterface(hooks)
	models := g.models.Render() // after the signatures: they register their structs
	types := g.typesFile()
	return []file{
		{"models.ts", models},
		{"api_table.ts", apiTable},
		{"hooks_table.ts", hooksTable},
		{"api.ts", apiClass},
		{"hooks.ts", hooksIface},
		{"types.ts", types},
	}, nil
}
