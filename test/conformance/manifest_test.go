package conformance

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
)

// The product's plugin.json passes the server's own manifest validation, names an executable for
// linux-amd64 and a webapp bundle, and every setting has a default and a help text.
func TestProductManifestIsValid(t *testing.T) {
	raw, err := os.ReadFile("../../plugin.json")
	require.NoError(t, err)
	var m model.Manifest
	require.NoError(t, json.Unmarshal(raw, &m), "plugin.json must parse as a model.Manifest")
	require.NoError(t, m.IsValid())
	require.NotEmpty(t, m.Server.Executables["linux-amd64"])
	require.Equal(t, "webapp/dist/main.js", m.Webapp.BundlePath)
	require.NotNil(t, m.SettingsSchema)
	for _, s := range m.SettingsSchema.Settings {
		require.NotNil(t, s.Default, "setting %s needs a default", s.Key)
		require.NotEmpty(t, s.HelpText, "setting %s needs a help text", s.Key)
	}
}

// The server whose host code this run uses accepts the plugin: min_server_version is at most its
// version, as the server checks before installing (every line of the release matrix runs this, so
// min_server_version cannot rise above the oldest line the matrix proves).
func TestProductManifestMeetsThisServer(t *testing.T) {
	raw, err := os.ReadFile("../../plugin.json")
	require.NoError(t, err)
	var m model.Manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	require.NotEmpty(t, m.MinServerVersion, "plugin.json needs a min_server_version")
	ok, err := m.MeetMinServerVersion(model.CurrentVersion)
	require.NoError(t, err)
	require.True(t, ok, "min_server_version %s is above this line's server version %s", m.MinServerVersion, model.CurrentVersion)
}
