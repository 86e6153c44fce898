package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The committed generated files are what the generator writes from the server/public in go.mod: a
// Mattermost upgrade, or a hand edit, shows up here (fix: go run ./tools/apigen).
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		path := filepath.Join("..", "..", outRel, f.name)
		have, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(have) != f.text {
			t.Errorf("%s differs from the generator's output: run go run ./tools/apigen in test/conformance", f.name)
		}
	}
}

func TestTSNames(t *testing.T) {
	for goName, want := range map[string]string{
		"KVGet": "kvGet", "KVSetWithOptions": "kvSetWithOptions", "GetLDAPUserAttributes": "getLDAPUserAttributes",
		"OpenInteractiveDialog": "openInteractiveDialog", "IsEnterpriseReady": "isEnterpriseReady",
		"ServeHTTP": "serveHTTP", "OnSAMLLogin": "onSAMLLogin", "ID": "id",
	} {
		if got := tsName(goName); got != want {
			t.Errorf("tsName(%s) = %s, want %s", goName, got, want)
		}
	}
}
