// Package modelgen renders packages/mattermost-plugin-node/src/mattermost/generated/models.ts: the gob wire
// shape and JSON names of the Mattermost model structs the plugin runtime exchanges, read by reflection from
// the real model package, so that the Go ⇄ @mattermost/types mapping is never typed by hand. tools/apigen
// drives it with every struct reachable from the plugin API and hooks signatures (go run ./tools/apigen).
package modelgen

import (
	"encoding"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// Roots are the models the runtime converts by name whether or not a signature reaches them.
var Roots = []any{
	model.Post{}, model.User{}, model.Channel{}, model.ChannelMember{}, model.Bot{}, model.BotPatch{},
	model.Command{}, model.CommandArgs{}, model.CommandResponse{}, model.AppError{}, model.WebsocketBroadcast{},
	model.PluginClusterEvent{}, model.PluginClusterEventSendOptions{}, model.PluginKVSetOptions{},
	model.Permission{}, model.Team{}, plugin.Context{}, model.MessageAttachment{}, plugin.ErrorString{},
	model.Config{},
}

var (
	gobEncoder      = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshaler = reflect.TypeFor[encoding.BinaryMarshaler]()
	rawMessage      = reflect.TypeFor[json.RawMessage]()
)

// Generator collects the structs that type expressions refer to, in first-seen order.
type Generator struct {
	structs map[string]reflect.Type
	order   []string
}

func New() *Generator {
	g := &Generator{structs: map[string]reflect.Type{}}
	for _, r := range Roots {
		g.Expr(reflect.TypeOf(r))
	}
	g.Close() // the roots' structs first, as the table always had them
	return g
}

// Name is the table name of a struct: its Go name, prefixed with its package for packages other than model.
func (g *Generator) Name(t reflect.Type) string {
	n := t.Name()
	if t.PkgPath() != "" && !strings.HasSuffix(t.PkgPath(), "/model") {
		parts := strings.Split(t.PkgPath(), "/")
		pkg := parts[len(parts)-1]
		if len(parts) > 1 && len(pkg) > 1 && pkg[0] == 'v' && strings.Trim(pkg[1:], "0123456789") == "" {
			pkg = parts[len(parts)-2] // a major-version suffix (logr/v2): the package is logr
		}
		n = strings.Title(pkg) + n //nolint:staticcheck
	}
	return n
}

// Struct returns the Go type of a table name.
func (g *Generator) Struct(name string) (reflect.Type, bool) {
	t, ok := g.structs[name]
	return t, ok
}

// Expr is the TypeExpr (model_table.ts) of a Go type, as TypeScript source; "" for what gob never sends.
func (g *Generator) Expr(t reflect.Type) string {
	// A nil pointer is left out on the wire while a struct value is always sent, so the TypeScript
	// encoder must know which struct fields are pointers.
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !reflect.PointerTo(t.Elem()).Implements(binaryMarshaler) &&
		!reflect.PointerTo(t.Elem()).Implements(gobEncoder) {
		return fmt.Sprintf("{ptr: %s}", g.Expr(t.Elem()))
	}
	if t == rawMessage {
		// Bytes on the wire, but Go's JSON embeds them as JSON rather than base64.
		return "'rawjson'"
	}
	for t.Kind() == reflect.Pointer {
		// gob honours GobEncoder and BinaryMarshaler; it never uses MarshalText (commented out in encoding/gob).
		if t.Implements(gobEncoder) || t.Implements(binaryMarshaler) {
			break
		}
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if t.Kind() == reflect.Pointer {
		pt = t
		t = t.Elem()
	}
	switch {
	case pt.Implements(gobEncoder):
		return fmt.Sprintf("{marshaler: 'gob', name: %q}", t.String())
	case pt.Implements(binaryMarshaler):
		return fmt.Sprintf("{marshaler: 'binary', name: %q}", t.String())
	}
	switch t.Kind() {
	case reflect.Bool:
		return "'bool'"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "'int'"
	case reflect.Uint8, reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "'uint'"
	case reflect.Float32, reflect.Float64:
		return "'float'"
	case reflect.String:
		return "'string'"
	case reflect.Interface:
		return "'interface'"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "'bytes'"
		}
		return fmt.Sprintf("{slice: %s}", g.Expr(t.Elem()))
	case reflect.Array:
		return fmt.Sprintf("{array: %s, len: %d}", g.Expr(t.Elem()), t.Len())
	case reflect.Map:
		return fmt.Sprintf("{map: [%s, %s]}", g.Expr(t.Key()), g.Expr(t.Elem()))
	case reflect.Struct:
		n := g.Name(t)
		if _, ok := g.structs[n]; !ok {
			g.structs[n] = t
			g.order = append(g.order, n)
		}
		return fmt.Sprintf("{struct: %q}", n)
	default: // chan, func: never sent by gob
		return ""
	}
}

// Field is one wire field of a struct as the table has it.
type Field struct {
	Go, JSON  string
	OmitEmpty bool
	Type      string
	Nullable  bool
	Embedded  bool
}

// Fields lists the wire fields of a struct, registering the structs they refer to.
func (g *Generator) Fields(t reflect.Type) []Field {
	var out []Field
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		e := g.Expr(f.Type)
		if e == "" {
			continue
		}
		tag := f.Tag.Get("json")
		jsonName, opts, _ := strings.Cut(tag, ",")
		if jsonName == "" {
			jsonName = f.Name
		}
		out = append(out, Field{
			Go: f.Name, JSON: jsonName, OmitEmpty: strings.Contains(opts, "omitempty"), Type: e,
			// nil encodes as JSON null, so no zero value is filled in for a missing field
			Nullable: f.Type.Kind() == reflect.Pointer,
			// gob sends an embedded struct as one field; Go's JSON flattens its fields into the parent
			// (an embedded *T too: PostSearchResults embeds *PostList)
			Embedded: f.Anonymous && tag == "" && (f.Type.Kind() == reflect.Struct || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct)),
		})
	}
	return out
}

// Close walks every registered struct (which may register more) and returns all names in table order.
func (g *Generator) Close() []string {
	for i := 0; i < len(g.order); i++ { // g.order grows while we walk
		g.Fields(g.structs[g.order[i]])
	}
	return append([]string(nil), g.order...)
}

// Render writes models.ts.
func (g *Generator) Render() string {
	g.Close()
	var b strings.Builder
	b.WriteString("// Code generated by test/conformance/tools/apigen (tools/modelgen) from github.com/mattermost/mattermost/server/public; DO NOT EDIT.\n")
	b.WriteString("// Gob wire shape and JSON names of the Mattermost models the runtime exchanges.\n\n")
	b.WriteString("import type {ModelTable} from '../model_table.js';\n\n")
	b.WriteString("export const models: ModelTable = {\n")
	for _, n := range g.order {
		fmt.Fprintf(&b, "    %s: [\n", n)
		for _, f := range g.Fields(g.structs[n]) {
			var extra string
			if f.Nullable {
				extra += ", nullable: true"
			}
			if f.Embedded {
				extra += ", embedded: true"
			}
			fmt.Fprintf(&b, "        {go: %q, json: %q, omitEmpty: %t, type: %s%s},\n", f.Go, f.JSON, f.OmitEmpty, f.Type, extra)
		}
		b.WriteString("    ],\n")
	}
	b.WriteString("};\n\n")
	names := append([]string(nil), g.order...)
	sort.Strings(names)
	b.WriteString("export type ModelName =\n")
	for i, n := range names {
		sep := ""
		if i == len(names)-1 {
			sep = ";"
		}
		fmt.Fprintf(&b, "    | %q%s\n", n, sep)
	}
	return b.String()
}
