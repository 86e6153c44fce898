package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"triggeralerts/conformance/wirecases"
)

// servehttpFixtures is where cmd/servehttppeer's fixtures live (read by the TypeScript unit tests
// of the ServeHTTP bridge).
const servehttpFixtures = "../../packages/mattermost-plugin-node/test/runtime/fixtures"

// TestServeHTTPWireFixture: the unit tests' fixture for this line's server/public version is
// exactly what this version's Z_ServeHTTPArgs encodes to, so those tests decode the real wire
// shape of every line of the matrix (*http.Request before v0.1.11, HTTPRequestSubset after).
func TestServeHTTPWireFixture(t *testing.T) {
	// gob numbers types per process, in the order they are first sent: the streams are only the
	// host's when they come from a fresh process, so the peer runs as one (with this run's GOFLAGS,
	// hence this line's server/public).
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "run", "./cmd/servehttppeer").Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		t.Fatalf("servehttppeer: %v\n%s", err, exitErr.Stderr)
	}
	require.NoError(t, err)
	var built wirecases.Fixture
	require.NoError(t, json.Unmarshal(out, &built))

	path := filepath.Join(servehttpFixtures, "servehttp-"+built.Module+".json")
	raw, err := os.ReadFile(path)
	require.NoError(t, err, "no fixture for server/public %s; write it with: go run -modfile=<this line's modfile> ./cmd/servehttppeer > %s", built.Module, path)
	var committed wirecases.Fixture
	require.NoError(t, json.Unmarshal(raw, &committed))
	assert.Equal(t, built, committed, "%s is stale; regenerate it with cmd/servehttppeer", path)

	wantType := "*plugin.HTTPRequestSubset"
	if versionBefore(t, built.Module, "v0.1.11") {
		wantType = "*http.Request"
	}
	assert.Equal(t, wantType, built.RequestType, "the request type of server/public %s", built.Module)
}

// versionBefore reports whether release version a (vX.Y.Z) is older than b.
func versionBefore(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y [3]int
	_, errA := fmt.Sscanf(a, "v%d.%d.%d", &x[0], &x[1], &x[2])
	_, errB := fmt.Sscanf(b, "v%d.%d.%d", &y[0], &y[1], &y[2])
	require.NoError(t, errA, a)
	require.NoError(t, errB, b)
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}
