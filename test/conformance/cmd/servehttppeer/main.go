// Command servehttppeer writes the ServeHTTP call fixtures of the server/public version it is
// built with (see package wirecases) as JSON on stdout. Write one per release line of the matrix:
//
//	go run ./cmd/servehttppeer > ../../packages/mattermost-plugin-node/test/runtime/fixtures/servehttp-v0.4.4.json
//	go run -modfile=go.mm10.5.mod ./cmd/servehttppeer > ../../packages/mattermost-plugin-node/test/runtime/fixtures/servehttp-v0.1.10.json
//
// TestServeHTTPWireFixture checks, on every line, that the committed fixture is what this
// version's types encode.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"triggeralerts/conformance/wirecases"
)

func main() {
	f, err := wirecases.BuildFixture()
	if err != nil {
		fmt.Fprintln(os.Stderr, "servehttppeer:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		fmt.Fprintln(os.Stderr, "servehttppeer:", err)
		os.Exit(1)
	}
}
