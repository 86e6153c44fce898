package harness

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLayoutPluginDir(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string, mode os.FileMode) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
	}
	write("plugin.json", `{"id":"my-plugin","version":"1.0.0","server":{"executables":{"`+RuntimeKey+`":"server/dist/run"}}}`, 0o644)
	write("assets/icon.png", "png", 0o644)
	write("server/main.ts", "not copied", 0o644)

	_, err := LayoutPluginDir(root, filepath.Join(t.TempDir(), "a"))
	assert.Error(t, err, "no server/dist yet")

	write("server/dist/run", "#!/bin/sh\n", 0o755)
	dst := filepath.Join(t.TempDir(), "b")
	m, err := LayoutPluginDir(root, dst)
	require.NoError(t, err)
	assert.Equal(t, "my-plugin", m.Id)
	for _, rel := range []string{"plugin.json", "assets/icon.png", "server/dist/run"} {
		assert.FileExists(t, filepath.Join(dst, filepath.FromSlash(rel)))
	}
	assert.NoFileExists(t, filepath.Join(dst, "server", "main.ts"))
	assert.NoDirExists(t, filepath.Join(dst, "webapp"))

	assert.Error(t, CheckPluginSource(dst), "CheckPluginSource still requires the conformance plugin's id")
	_, err = CheckPluginDir(dst)
	assert.NoError(t, err)
}
