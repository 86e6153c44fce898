package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/mattermost/mattermost/server/public/model"
)

// PluginID is the id the conformance plugin is installed under. Host works with any plugin:
// it installs the plugin under the id of the source's plugin.json (Host.ID).
const PluginID = "com.example.conformance"

// PluginDirEnv names the environment variable selecting the plugin under test: a directory
// holding plugin.json and the files it names (the executable, and for the TypeScript plugin its
// bundle). When it is unset the tests build the Go reference plugin.
const PluginDirEnv = "CONFORMANCE_PLUGIN_DIR"

// RuntimeKey is the server.executables key of this platform, e.g. "linux-amd64".
var RuntimeKey = runtime.GOOS + "-" + runtime.GOARCH

// BuildRefPlugin compiles the Go reference plugin package at pkgDir (a directory, relative to
// the working directory or absolute) into outDir and writes outDir/plugin.json for it.
func BuildRefPlugin(pkgDir, outDir string) error {
	exe := "plugin-" + RuntimeKey
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(outDir, exe), ".")
	cmd.Dir = pkgDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the reference plugin: %w\n%s", err, out)
	}
	manifest := &model.Manifest{
		Id:          PluginID,
		Name:        "Conformance (Go reference)",
		Description: "Go reference implementation of the conformance test plugin",
		Version:     "0.0.1",
		Server:      &model.ManifestServer{Executables: map[string]string{RuntimeKey: exe}},
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "plugin.json"), b, 0o644)
}

// CheckPluginSource verifies that dir holds a plugin.json for PluginID naming an existing
// executable for this platform.
func CheckPluginSource(dir string) error {
	m, err := CheckPluginDir(dir)
	if err != nil {
		return err
	}
	if m.Id != PluginID {
		return fmt.Errorf("plugin source %s: plugin.json id is %q, want %q", dir, m.Id, PluginID)
	}
	return nil
}

// ReadManifest reads dir/plugin.json.
func ReadManifest(dir string) (*model.Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	if err != nil {
		return nil, fmt.Errorf("plugin source %s: %w", dir, err)
	}
	var m model.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("plugin source %s: plugin.json: %w", dir, err)
	}
	if m.Id == "" {
		return nil, fmt.Errorf("plugin source %s: plugin.json has no id", dir)
	}
	return &m, nil
}

// CheckPluginDir verifies that dir holds a plugin.json (any plugin id) naming an existing
// executable for this platform (and the webapp bundle, if it names one), and returns the
// manifest.
func CheckPluginDir(dir string) (*model.Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	exe := m.GetExecutableForRuntime(runtime.GOOS, runtime.GOARCH)
	if exe == "" {
		return nil, fmt.Errorf("plugin source %s: plugin.json has no server executable for %s", dir, RuntimeKey)
	}
	st, err := os.Stat(filepath.Join(dir, filepath.Clean(exe)))
	if err != nil {
		return nil, fmt.Errorf("plugin source %s: executable: %w", dir, err)
	}
	if st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("plugin source %s: %s is not executable", dir, exe)
	}
	if m.Webapp != nil && m.Webapp.BundlePath != "" {
		if _, err := os.Stat(filepath.Join(dir, filepath.Clean(m.Webapp.BundlePath))); err != nil {
			return nil, fmt.Errorf("plugin source %s: webapp bundle: %w", dir, err)
		}
	}
	return m, nil
}

// LayoutPluginDir lays out, in dst (created if needed), the plugin directory a built plugin
// bundle holds, from a plugin repository root: plugin.json, server/dist/, assets/ and, when it
// exists, webapp/dist/. It checks the result with CheckPluginDir.
func LayoutPluginDir(repoRoot, dst string) (*model.Manifest, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(filepath.Join(repoRoot, "plugin.json"), filepath.Join(dst, "plugin.json"), 0o644); err != nil {
		return nil, fmt.Errorf("plugin.json: %w", err)
	}
	for _, d := range []struct {
		path     string
		optional bool
	}{{"server/dist", false}, {"assets", true}, {"webapp/dist", true}} {
		src := filepath.Join(repoRoot, filepath.FromSlash(d.path))
		if _, err := os.Stat(src); err != nil {
			if d.optional && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("%s: %w (build the plugin first)", d.path, err)
		}
		target := filepath.Join(dst, filepath.FromSlash(d.path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, err
		}
		if err := copyTree(src, target); err != nil {
			return nil, fmt.Errorf("%s: %w", d.path, err)
		}
	}
	return CheckPluginDir(dst)
}

// copyTree copies the directory tree src to dst (which must not exist), keeping file modes
// and symbolic links.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		default:
			return errors.New("unsupported file type: " + path)
		}
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ProductPluginEnv names the environment variable selecting an already laid-out product plugin
// directory (as the alerts tests read it); unset, the product is laid out from the repository.
const ProductPluginEnv = "ALERTS_PLUGIN_DIR"

// ProductPluginDir returns the directory of the product plugin with id wantID: $ALERTS_PLUGIN_DIR
// when set, else a temporary directory laid out (LayoutPluginDir) from repoRoot, which the
// returned cleanup removes. The product must have been built (`npm run build`).
func ProductPluginDir(repoRoot, wantID string) (dir string, cleanup func(), err error) {
	noop := func() {}
	if env := os.Getenv(ProductPluginEnv); env != "" {
		abs, err := filepath.Abs(env)
		if err != nil {
			return "", noop, err
		}
		m, err := CheckPluginDir(abs)
		if err != nil {
			return "", noop, fmt.Errorf("$%s: %w", ProductPluginEnv, err)
		}
		if m.Id != wantID {
			return "", noop, fmt.Errorf("$%s: plugin id is %q, want %q", ProductPluginEnv, m.Id, wantID)
		}
		return abs, noop, nil
	}
	tmp, err := os.MkdirTemp("", "product-plugin-")
	if err != nil {
		return "", noop, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	dst := filepath.Join(tmp, wantID)
	m, err := LayoutPluginDir(repoRoot, dst)
	if err != nil {
		cleanup()
		return "", noop, fmt.Errorf("laying out the plugin from the repository root (run `npm run build` there, or set $%s): %w", ProductPluginEnv, err)
	}
	if m.Id != wantID {
		cleanup()
		return "", noop, fmt.Errorf("plugin.json id is %q, want %q", m.Id, wantID)
	}
	return dst, cleanup, nil
}

// InstallPlugin copies the plugin directory source into pluginDir/<id> (id from its
// plugin.json), as the server unpacks a bundle into its plugin directory, and returns the id.
func InstallPlugin(source, pluginDir string) (string, error) {
	m, err := CheckPluginDir(source)
	if err != nil {
		return "", err
	}
	if err := copyTree(source, filepath.Join(pluginDir, m.Id)); err != nil {
		return "", fmt.Errorf("installing the plugin: %w", err)
	}
	return m.Id, nil
}
