// Package conformance checks a Mattermost server plugin from the host side: it starts the plugin
// with Mattermost's own plugin host code (plugin.NewEnvironment, as the server does) against an
// in-memory fake API, and checks what crosses the wire. CONTRACT.md describes the plugin.
//
// Run against the Go reference plugin (built from refplugin/ by the tests):
//
//	go test ./... -count=1
//
// Run against another implementation laid out in a directory (plugin.json plus the files it
// names), for example the TypeScript test plugin:
//
//	CONFORMANCE_PLUGIN_DIR=$PWD/build/tsplugin go test ./... -count=1
//
// CONFORMANCE_VERBOSE=1 prints the host log of every test, not only of failed ones.
//
// go.mod pins the newest server/public; go.mm<line>.mod pin the host code of older Mattermost
// release lines, whose API differences the mmpublic_pre* build tags select (harness/compat_*.go).
// scripts/conformance.mjs runs every line; by hand, for one line:
//
//	GOFLAGS="-modfile=$PWD/go.mm10.5.mod -tags=mmpublic_pre04,mmpublic_pre021" go test . ./alerts -count=1
package conformance

import (
	_ "github.com/hashicorp/go-plugin"
	_ "github.com/hashicorp/yamux"
	_ "github.com/mattermost/mattermost/server/public/plugin"
	_ "github.com/mattermost/mattermost/server/public/plugin/plugintest"
	_ "github.com/stretchr/testify/require"
)
