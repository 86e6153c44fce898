package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Process inspection through /proc (Linux), for plugins that have no route telling their pid
// (the product) and for the fault tests: which processes a process started, whether one has
// exited, how much memory it holds.

// procStat is what the tests need from /proc/<pid>/stat.
type procStat struct {
	state byte // R, S, D, Z, ...
	ppid  int
}

func readStat(pid int) (procStat, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 2 || len(f[0]) != 1 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: ppid: %w", pid, err)
	}
	return procStat{state: f[0][0], ppid: ppid}, nil
}

// ChildPIDs returns the processes whose parent is ppid, sorted.
func ChildPIDs(ppid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // exited meanwhile
		}
		if st.ppid == ppid {
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Descendants returns every process below pid (children, their children, ...).
func Descendants(pid int) ([]int, error) {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		kids, err := ChildPIDs(queue[0])
		if err != nil {
			return nil, err
		}
		queue = append(queue[1:], kids...)
		out = append(out, kids...)
	}
	slices.Sort(out)
	return out, nil
}

// Exited reports whether the process has exited: it is gone, or it is a zombie waiting for
// its parent to reap it (it runs no code and holds no memory or sockets any more).
func Exited(pid int) bool {
	st, err := readStat(pid)
	return err != nil || st.state == 'Z'
}

// RSSKiB returns the resident set size of a process (VmRSS), in KiB.
func RSSKiB(pid int) (int64, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// MemoryKiB returns the resident set size of a process (VmRSS) and its anonymous part (RssAnon:
// heap and stacks, without the mapped executable and libraries, which the kernel may evict and
// read back under memory pressure), in KiB.
func MemoryKiB(pid int) (rss, anon int64, err error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0, err
	}
	found := 0
	for _, line := range strings.Split(string(raw), "\n") {
		for _, f := range []struct {
			prefix string
			into   *int64
		}{{"VmRSS:", &rss}, {"RssAnon:", &anon}} {
			if rest, ok := strings.CutPrefix(line, f.prefix); ok {
				fields := strings.Fields(rest)
				if len(fields) > 0 {
					if *f.into, err = strconv.ParseInt(fields[0], 10, 64); err != nil {
						return 0, 0, err
					}
					found++
				}
			}
		}
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("/proc/%d/status: no VmRSS or RssAnon", pid)
	}
	return rss, anon, nil
}

// CommandLine returns the arguments of a process (/proc/<pid>/cmdline).
func CommandLine(pid int) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00"), nil
}

// PluginPID finds the running plugin process of this host without asking the plugin: the
// child of this (test) process whose command line names a file of the host's own plugin
// directory (see ChildStartedFrom).
func (h *Host) PluginPID() (int, error) {
	return ChildStartedFrom(os.Getpid(), h.BundlePath())
}

// ChildStartedFrom returns the one running child of ppid whose command line names a file below
// dir. The server starts a plugin's executable from the plugin's directory; for the product, a
// launcher script exec's node with the bundle's path, so the pid found is node's.
func ChildStartedFrom(ppid int, dir string) (int, error) {
	kids, err := ChildPIDs(ppid)
	if err != nil {
		return 0, err
	}
	var found []int
	for _, pid := range kids {
		if Exited(pid) {
			continue
		}
		if args, err := CommandLine(pid); err == nil && namesFileBelow(args, dir) {
			found = append(found, pid)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return 0, errors.New("no running child process started from " + dir)
	default:
		return 0, fmt.Errorf("%d child processes started from %s: %v", len(found), dir, found)
	}
}

// ProcessesStartedFrom returns every running process (anywhere, not only children) whose
// command line names a file below dir: what is left of a plugin installed there.
func ProcessesStartedFrom(dir string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || Exited(pid) {
			continue
		}
		if args, err := CommandLine(pid); err == nil && namesFileBelow(args, dir) {
			out = append(out, pid)
		}
	}
	return out, nil
}

func namesFileBelow(args []string, dir string) bool {
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	return slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, prefix) })
}
