package harness

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessInspection(t *testing.T) {
	// sh starts sleep as its child (not exec: the trailing "; true" keeps sh around).
	cmd := exec.Command("sh", "-c", "sleep 30; true")
	require.NoError(t, cmd.Start())
	sh := cmd.Process.Pid
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var kids []int
	require.Eventually(t, func() bool {
		var err error
		kids, err = ChildPIDs(sh)
		return err == nil && len(kids) == 1
	}, 5*time.Second, 10*time.Millisecond, "sleep under sh")
	mine, err := ChildPIDs(os.Getpid())
	require.NoError(t, err)
	assert.True(t, slices.Contains(mine, sh))
	desc, err := Descendants(os.Getpid())
	require.NoError(t, err)
	assert.Contains(t, desc, kids[0])

	args, err := CommandLine(kids[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"sleep", "30"}, args)
	rss, err := RSSKiB(sh)
	require.NoError(t, err)
	assert.Greater(t, rss, int64(0))
	rss2, anon, err := MemoryKiB(sh)
	require.NoError(t, err)
	assert.Greater(t, rss2, int64(0))
	assert.Greater(t, anon, int64(0))
	assert.LessOrEqual(t, anon, rss2)

	assert.False(t, Exited(sh))
	require.NoError(t, cmd.Process.Kill())
	// Killed but not reaped: a zombie, which counts as exited.
	require.Eventually(t, func() bool { return Exited(sh) }, 5*time.Second, 10*time.Millisecond)
	_ = cmd.Wait()
	assert.True(t, Exited(sh))
	// The orphaned sleep goes on (reparented); end it.
	p, err := os.FindProcess(kids[0])
	require.NoError(t, err)
	_ = p.Kill()
}
