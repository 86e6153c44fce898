package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
)

// method is one method of plugin.API or plugin.Hooks: order, names and doc from the source, types by reflection.
type method struct {
	Go       string
	Doc      string
	Params   []param
	Variadic bool
	Results  []reflect.Type
	// Manual: Mattermost hand-writes its RPC (client_rpc.go), so its wire shape is not the Z_<Method>Args one.
	Manual bool
}

type param struct {
	Name string
	Type reflect.Type
}

// pluginDir is the source folder of the plugin package of the server/public version in go.mod.
func pluginDir() (string, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/mattermost/mattermost/server/public/plugin").Output()
	if err != nil {
		return "", fmt.Errorf("go list: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// readInterface lists the methods of interface `name` declared in `file`, in source order.
func readInterface(dir, file, name string, iface reflect.Type, rpcClient string) ([]method, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(dir, file), nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	generated, err := os.ReadFile(filepath.Join(dir, "client_rpc_generated.go"))
	if err != nil {
		return nil, err
	}
	var spec *ast.InterfaceType
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == name {
			spec, _ = ts.Type.(*ast.InterfaceType)
			return false
		}
		return spec == nil
	})
	if spec == nil {
		return nil, fmt.Errorf("%s: no interface %s", file, name)
	}
	var out []method
	for _, m := range spec.Methods.List {
		if len(m.Names) != 1 {
			return nil, fmt.Errorf("%s: embedded interfaces are not supported", name)
		}
		goName := m.Names[0].Name
		rm, ok := iface.MethodByName(goName)
		if !ok {
			return nil, fmt.Errorf("%s.%s: not found by reflection", name, goName)
		}
		ft := m.Type.(*ast.FuncType)
		var names []string
		for i, p := range ft.Params.List {
			if len(p.Names) == 0 {
				names = append(names, fmt.Sprintf("arg%d", i))
			}
			for _, n := range p.Names {
				names = append(names, n.Name)
			}
		}
		if len(names) != rm.Type.NumIn() {
			return nil, fmt.Errorf("%s.%s: %d parameter names for %d parameters", name, goName, len(names), rm.Type.NumIn())
		}
		me := method{
			Go:       goName,
			Doc:      strings.TrimRight(m.Doc.Text(), "\n"),
			Variadic: rm.Type.IsVariadic(),
			Manual:   !strings.Contains(string(generated), fmt.Sprintf("func (g *%s) %s(", rpcClient, goName)),
		}
		for i, n := range names {
			me.Params = append(me.Params, param{Name: n, Type: rm.Type.In(i)})
		}
		for i := range rm.Type.NumOut() {
			me.Results = append(me.Results, rm.Type.Out(i))
		}
		out = append(out, me)
	}
	return out, nil
}
