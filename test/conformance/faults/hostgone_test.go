package faults

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/shared/mlog"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// The host helper: this test binary re-executed as a server process of its own, so that the test
// can kill "the server" while the plugin process it started lives on.
const (
	hostHelperEnv     = "FAULTS_HOST_HELPER_PLUGIN" // the plugin directory to install
	hostHelperRootEnv = "FAULTS_HOST_HELPER_ROOT"   // where to put the server's plugin directories
	pluginPIDLine     = "plugin-pid "
)

// hostGoneLimit is how long the plugin may outlive its server.
const hostGoneLimit = 5 * time.Second

// runHostHelper runs a plugin environment as the server does, activates the plugin, prints its
// pid, and waits to be killed.
func runHostHelper(source string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "host helper:", err)
		return 2
	}
	root := os.Getenv(hostHelperRootEnv)
	if root == "" {
		return fail(fmt.Errorf("$%s is not set", hostHelperRootEnv))
	}
	pluginDir := filepath.Join(root, "plugins")
	webappDir := filepath.Join(root, "client", "plugins")
	for _, d := range []string{pluginDir, webappDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	id, err := harness.InstallPlugin(source, pluginDir)
	if err != nil {
		return fail(err)
	}
	api := fakeapi.New()
	api.SetPluginConfig(settings())
	logger, err := mlog.NewLogger()
	if err != nil {
		return fail(err)
	}
	newAPIImpl := func(m *model.Manifest) plugin.API { return api.ForBundle(filepath.Join(pluginDir, m.Id)) }
	env, err := plugin.NewEnvironment(newAPIImpl, nil, pluginDir, webappDir, logger, nil)
	if err != nil {
		return fail(err)
	}
	if _, ok, err := env.Activate(id); err != nil || !ok {
		return fail(fmt.Errorf("activating %s: activated=%v, %v", id, ok, err))
	}
	pid, err := harness.ChildStartedFrom(os.Getpid(), filepath.Join(pluginDir, id))
	if err != nil {
		return fail(err)
	}
	fmt.Printf("%s%d\n", pluginPIDLine, pid)
	select {} // until the test kills this "server"
}

// setSubreaper makes this process adopt orphaned descendants (prctl PR_SET_CHILD_SUBREAPER), so
// that the plugin process, orphaned when its server dies, is reparented here and its exit status
// can be read. Returns false where that is not possible.
func setSubreaper(on bool) bool {
	const prSetChildSubreaper = 36
	v := uintptr(0)
	if on {
		v = 1
	}
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, v, 0)
	return errno == 0
}

// TestHostGoesAway: the server process dies (SIGKILL, as the OOM killer does it; SIGTERM without
// a graceful shutdown) while the plugin runs. The plugin process notices its connection closed
// and exits by itself within 5 s, with status 0, and leaves no process behind: none of the
// processes it had started, and nothing running from its plugin directory.
func TestHostGoesAway(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { hostGoesAway(t, sig) })
	}
}

func hostGoesAway(t *testing.T, sig syscall.Signal) {
	adopted := setSubreaper(true)
	t.Cleanup(func() { setSubreaper(false) })
	root := t.TempDir()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostHelperEnv+"="+pluginSource, hostHelperRootEnv+"="+root)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	// The helper prints the plugin's pid once the plugin is active.
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), pluginPIDLine) {
				lines <- strings.TrimPrefix(sc.Text(), pluginPIDLine)
			}
		}
		close(lines)
	}()
	var pid int
	select {
	case line, ok := <-lines:
		require.True(t, ok, "the host helper exited without starting the plugin:\n%s", stderr.String())
		_, err := fmt.Sscan(line, &pid)
		require.NoError(t, err)
	case <-time.After(harness.ActivateTimeout):
		t.Fatalf("the host helper did not start the plugin within %s:\n%s", harness.ActivateTimeout, stderr.String())
	}
	require.False(t, harness.Exited(pid), "plugin process %d", pid)
	pluginDir := filepath.Join(root, "plugins", pluginID)
	started, err := harness.ProcessesStartedFrom(pluginDir)
	require.NoError(t, err)
	require.Equal(t, []int{pid}, started, "processes running from the plugin directory")
	before, err := harness.Descendants(pid)
	require.NoError(t, err)
	t.Logf("plugin process %d (server %d); its child processes: %v", pid, cmd.Process.Pid, before)

	// The server dies.
	require.NoError(t, cmd.Process.Signal(sig))
	gone := time.Now()
	_ = cmd.Wait()
	reaped = true

	deadline := gone.Add(hostGoneLimit)
	for !harness.Exited(pid) {
		if time.Now().After(deadline) {
			args, _ := harness.CommandLine(pid)
			t.Fatalf("the plugin process %d (%v) is still running %s after its server died", pid, args, hostGoneLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(gone)
	t.Logf("the plugin exited %.0f ms after its server died", float64(took.Milliseconds()))

	if adopted {
		// Reparented here: reap it and read how it ended.
		var ws syscall.WaitStatus
		wpid, err := syscall.Wait4(pid, &ws, 0, nil)
		if err == nil && wpid == pid {
			t.Logf("reaped the plugin process: %v", ws)
			assert.True(t, ws.Exited(), "the plugin was ended by %v, not by itself", ws.Signal())
			assert.Equal(t, 0, ws.ExitStatus(), "the plugin's exit status")
		} else {
			t.Logf("the plugin process was not reparented here (%v): exit status not checked", err)
		}
	}

	for _, child := range before {
		assert.True(t, harness.Exited(child), "process %d, started by the plugin, outlived it", child)
	}
	left, err := harness.ProcessesStartedFrom(pluginDir)
	require.NoError(t, err)
	assert.Empty(t, left, "processes still running from the plugin directory")
	kids, err := harness.ChildPIDs(pid)
	require.NoError(t, err)
	assert.Empty(t, kids, "children of the plugin process")
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
