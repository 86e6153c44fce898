package main

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/tools/modelgen"
)

var (
	ioReader       = reflect.TypeFor[io.Reader]()
	ioWriter       = reflect.TypeFor[io.Writer]()
	httpWriter     = reflect.TypeFor[http.ResponseWriter]()
	httpRequest    = reflect.TypeFor[*http.Request]()
	httpResponse   = reflect.TypeFor[*http.Response]()
	goError        = reflect.TypeFor[error]()
	appErrorPtr    = reflect.TypeFor[*model.AppError]()
	goEncoderIface = reflect.TypeFor[interface{ GobEncode() ([]byte, error) }]()
	binaryIface    = reflect.TypeFor[interface{ MarshalBinary() ([]byte, error) }]()
	rawJSONName    = "json.RawMessage"
)

// streams are the signature types that never cross as gob values: TypeExpr names of their own.
var streams = map[reflect.Type]string{
	ioReader:     "reader",
	ioWriter:     "writer",
	httpWriter:   "httpResponseWriter",
	httpRequest:  "httpRequest",
	httpResponse: "httpResponse",
}

// mattermostTypes names the @mattermost/types type that describes a model's JSON, where one exists;
// every other struct gets an interface in generated/types.ts made from its JSON names. Only types that
// @mattermost/types 9.10 (the package's oldest peer) already has.
var mattermostTypes = map[string][2]string{
	"User":            {"users", "UserProfile"},
	"UserAccessToken": {"users", "UserAccessToken"},
	"Channel":         {"channels", "Channel"},
	"ChannelMember":   {"channels", "ChannelMembership"},
	"ChannelStats":    {"channels", "ChannelStats"},
	"Post":            {"posts", "Post"},
	"PostList":        {"posts", "PostList"},
	"Team":            {"teams", "Team"},
	"TeamMember":      {"teams", "TeamMembership"},
	"TeamUnread":      {"teams", "TeamUnread"},
	"Bot":             {"bots", "Bot"},
	"Command":         {"integrations", "Command"},
	"CommandArgs":     {"integrations", "CommandArgs"},
	"CommandResponse": {"integrations", "CommandResponse"},
	"OAuthApp":        {"integrations", "OAuthApp"},
	"IncomingWebhook": {"integrations", "IncomingWebhook"},
	"OutgoingWebhook": {"integrations", "OutgoingWebhook"},
	"FileInfo":        {"files", "FileInfo"},
	"Emoji":           {"emojis", "CustomEmoji"},
	"Reaction":        {"reactions", "Reaction"},
	"Preference":      {"preferences", "PreferenceType"},
	"Group":           {"groups", "Group"},
	"GroupSyncable":   {"groups", "GroupSyncable"},
	"Role":            {"roles", "Role"},
	"Scheme":          {"schemes", "Scheme"},
	"Session":         {"sessions", "Session"},
	"Manifest":        {"plugins", "PluginManifest"},
	"Config":          {"config", "AdminConfig"},
}

type gen struct {
	models *modelgen.Generator
	// imports of the file being rendered: @mattermost/types module → names
	imports map[string]map[string]bool
	local   map[string]bool // generated/types.ts names the file uses
	node    map[string]string
}

func newGen() *gen {
	return &gen{models: modelgen.New()}
}

func (g *gen) reset() {
	g.imports = map[string]map[string]bool{}
	g.local = map[string]bool{}
	g.node = map[string]string{}
}

// sigExpr is the TypeExpr of a signature type and, for a result, which kind of error it is.
func (g *gen) sigExpr(t reflect.Type, result bool) (expr, errKind string) {
	if name, ok := streams[t]; ok {
		return fmt.Sprintf("'%s'", name), ""
	}
	if result && t == goError {
		return "'interface'", "error"
	}
	if result && t == appErrorPtr {
		return g.models.Expr(t), "app"
	}
	e := g.models.Expr(t)
	if e == "" {
		panic(fmt.Sprintf("no wire type for %s", t))
	}
	return e, ""
}

// tsName lowers the leading run of capitals, keeping its last letter when a lowercase letter follows a run
// of two or more (KVGet → kvGet, GetLDAPUserAttributes → getLDAPUserAttributes, ServeHTTP → serveHTTP).
func tsName(goName string) string {
	r := []rune(goName)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	lower := n
	if n > 1 && n < len(r) && unicode.IsLower(r[n]) {
		lower = n - 1
	}
	for i := 0; i < lower; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

var reserved = map[string]bool{
	"break": true, "case": true, "catch": true, "class": true, "const": true, "continue": true, "debugger": true,
	"default": true, "delete": true, "do": true, "else": true, "enum": true, "export": true, "extends": true,
	"false": true, "finally": true, "for": true, "function": true, "if": true, "import": true, "in": true,
	"instanceof": true, "new": true, "null": true, "return": true, "super": true, "switch": true, "this": true,
	"throw": true, "true": true, "try": true, "typeof": true, "var": true, "void": true, "while": true,
	"with": true, "yield": true, "let": true, "static": true, "implements": true, "interface": true,
	"package": true, "private": true, "protected": true, "public": true, "await": true, "arguments": true, "eval": true,
}

func paramName(n string) string {
	if reserved[n] {
		return n + "_"
	}
	return n
}

// table renders api_table.ts or hooks_table.ts.
func (g *gen) table(methods []method, constName, iface string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by test/conformance/tools/apigen from github.com/mattermost/mattermost/server/public %s; DO NOT EDIT.\n", iface)
	fmt.Fprintf(&b, "// One row per method of %s, in source order: Go and TypeScript names, parameter and\n", iface)
	b.WriteString("// result wire types, and whether Mattermost's RPC glue for it is generated (Z_<Method>Args fields A, B, C...)\n")
	b.WriteString("// or hand-written (client_rpc.go).\n\n")
	b.WriteString("import type {MethodRow} from '../model_table.js';\n\n")
	b.WriteString("export type {MethodRow, ParamRow, ResultRow} from '../model_table.js';\n\n")
	fmt.Fprintf(&b, "export const %s: readonly MethodRow[] = [\n", constName)
	for _, m := range methods {
		wire := "generated"
		if m.Manual {
			wire = "manual"
		}
		// No doc comment here: the rows load with every plugin, the docs are in the generated class.
		fmt.Fprintf(&b, "    {\n        go: %q,\n        ts: %q,\n", m.Go, tsName(m.Go))
		b.WriteString("        params: [")
		for i, p := range m.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			e, _ := g.sigExpr(p.Type, false)
			v := ""
			if m.Variadic && i == len(m.Params)-1 {
				v = ", variadic: true"
			}
			fmt.Fprintf(&b, "{name: %q, type: %s%s}", p.Name, e, v)
		}
		b.WriteString("],\n        results: [")
		for i, r := range m.Results {
			if i > 0 {
				b.WriteString(", ")
			}
			e, kind := g.sigExpr(r, true)
			if kind != "" {
				fmt.Fprintf(&b, "{type: %s, error: '%s'}", e, kind)
			} else {
				fmt.Fprintf(&b, "{type: %s}", e)
			}
		}
		fmt.Fprintf(&b, "],\n        wire: '%s',\n    },\n", wire)
	}
	b.WriteString("];\n")
	return b.String()
}

// tsDoc renders a Go doc comment as TSDoc at the given indent.
func tsDoc(doc, indent string) string {
	if doc == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(indent + "/**\n")
	for _, line := range strings.Split(doc, "\n") {
		line = strings.ReplaceAll(line, "*/", "*\\/")
		if line == "" {
			b.WriteString(indent + " *\n")
		} else {
			b.WriteString(indent + " * " + line + "\n")
		}
	}
	b.WriteString(indent + " */\n")
	return b.String()
}

type tsCtx struct {
	// top: a signature's own value or a container of it (not a model field): []byte is raw bytes there.
	top bool
	// in: a value we send to Go, where a struct may leave fields out (Go takes their zero values).
	in bool
}

// ts is the TypeScript type of a Go type, following modelgen.Expr's rules (pointers flattened, marshalers
// as their text, []byte as base64 inside models as Go's JSON has it).
func (g *gen) ts(t reflect.Type, c tsCtx) string {
	if name, ok := streams[t]; ok {
		return g.streamTS(name)
	}
	if t.String() == rawJSONName {
		return "unknown"
	}
	for t.Kind() == reflect.Pointer && !t.Implements(goEncoderIface) && !t.Implements(binaryIface) {
		t = t.Elem()
	}
	if t.Kind() == reflect.Pointer || reflect.PointerTo(t).Implements(goEncoderIface) || reflect.PointerTo(t).Implements(binaryIface) {
		return "string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Interface:
		return "unknown"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			if c.top {
				return "Uint8Array"
			}
			return "string"
		}
		return arrayOf(g.ts(t.Elem(), c))
	case reflect.Map:
		k := "string"
		switch t.Key().Kind() {
		case reflect.String:
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
			reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			k = "number"
		default:
			panic(fmt.Sprintf("map key %s", t.Key()))
		}
		return fmt.Sprintf("Record<%s, %s>", k, g.ts(t.Elem(), c))
	case reflect.Struct:
		g.models.Expr(t)
		n := g.structTS(g.models.Name(t))
		if c.in {
			return "Partial<" + n + ">"
		}
		return n
	}
	panic(fmt.Sprintf("no TypeScript type for %s", t))
}

func arrayOf(elem string) string {
	if strings.ContainsAny(elem, "|& ") && !strings.HasPrefix(elem, "Record<") && !strings.HasPrefix(elem, "Partial<") {
		return "(" + elem + ")[]"
	}
	return elem + "[]"
}

func (g *gen) streamTS(name string) string {
	switch name {
	case "reader":
		return "Uint8Array"
	case "writer":
		g.node["Writable"] = "node:stream"
		return "Writable"
	case "httpResponseWriter":
		g.node["ServerResponse"] = "node:http"
		return "ServerResponse"
	case "httpRequest":
		g.node["IncomingMessage"] = "node:http"
		return "IncomingMessage"
	}
	// *http.Response (PluginHTTP) is hand-written in api.ts
	return "unknown"
}

// structTS names a model's TypeScript type and records its import.
func (g *gen) structTS(name string) string {
	if m, ok := mattermostTypes[name]; ok {
		if g.imports[m[0]] == nil {
			g.imports[m[0]] = map[string]bool{}
		}
		g.imports[m[0]][m[1]] = true
		return m[1]
	}
	g.local[name] = true
	return name
}

func (g *gen) importLines(localFrom string) string {
	var b strings.Builder
	var nodeNames []string
	for n := range g.node {
		nodeNames = append(nodeNames, n)
	}
	sort.Strings(nodeNames)
	byModule := map[string][]string{}
	var modules []string
	for _, n := range nodeNames {
		m := g.node[n]
		if byModule[m] == nil {
			modules = append(modules, m)
		}
		byModule[m] = append(byModule[m], n)
	}
	sort.Strings(modules)
	for _, m := range modules {
		fmt.Fprintf(&b, "import type {%s} from '%s';\n", strings.Join(byModule[m], ", "), m)
	}
	if len(modules) > 0 {
		b.WriteString("\n")
	}
	var mods []string
	for m := range g.imports {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, m := range mods {
		var names []string
		for n := range g.imports[m] {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "import type {%s} from '@mattermost/types/%s';\n", strings.Join(names, ", "), m)
	}
	if len(mods) > 0 {
		b.WriteString("\n")
	}
	if localFrom != "" && len(g.local) > 0 {
		var names []string
		for n := range g.local {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "import type {%s} from '%s';\n\n", strings.Join(names, ", "), localFrom)
	}
	return b.String()
}

// resultTS is the TypeScript type of the non-error results: void, one type, or a tuple.
func (g *gen) resultTS(m method, c tsCtx, single func(reflect.Type) string) string {
	var parts []string
	for _, r := range m.Results {
		if r == goError || r == appErrorPtr {
			continue
		}
		parts = append(parts, single(r))
	}
	switch len(parts) {
	case 0:
		return "void"
	case 1:
		return parts[0]
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// nullable: values Go may leave nil (a nil slice or map reads as empty instead).
func nullable(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8)
}

func (g *gen) paramsTS(m method, c tsCtx) string {
	var ps []string
	for i, p := range m.Params {
		if m.Variadic && i == len(m.Params)-1 {
			ps = append(ps, fmt.Sprintf("...%s: %s", paramName(p.Name), g.ts(p.Type, c)))
			continue
		}
		s := g.ts(p.Type, c)
		// Go takes nil for these (KVSetWithOptions' nil value deletes), so the caller may pass null.
		if c.in && nullable(p.Type) && s != "unknown" {
			s += " | null"
		}
		ps = append(ps, fmt.Sprintf("%s: %s", paramName(p.Name), s))
	}
	return strings.Join(ps, ", ")
}

// apiClass renders generated/api.ts: one method per generated-wire API method.
func (g *gen) apiClass(methods []method) string {
	g.reset()
	var body strings.Builder
	for _, m := range methods {
		if m.Manual {
			continue
		}
		ret := g.resultTS(m, tsCtx{top: true}, func(t reflect.Type) string {
			s := g.ts(t, tsCtx{top: true})
			if nullable(t) && s != "unknown" {
				s += " | null"
			}
			return s
		})
		var args []string
		for _, p := range m.Params {
			args = append(args, paramName(p.Name))
		}
		body.WriteString(tsDoc(m.Doc, "    "))
		fmt.Fprintf(&body, "    %s(%s): Promise<%s> {\n", tsName(m.Go), g.paramsTS(m, tsCtx{top: true, in: true}), ret)
		fmt.Fprintf(&body, "        return this.invoke<%s>(%q, [%s]);\n    }\n\n", ret, m.Go, strings.Join(args, ", "))
	}
	var b strings.Builder
	b.WriteString("// Code generated by test/conformance/tools/apigen from github.com/mattermost/mattermost/server/public plugin.API; DO NOT EDIT.\n")
	b.WriteString("// One method per API method whose RPC glue Mattermost generates; PluginAPI (api.ts) adds the hand-written ones.\n")
	b.WriteString("/* eslint-disable max-lines */\n")
	b.WriteString(g.importLines("./types.js"))
	b.WriteString("import {ApiClientBase} from '../api/client_base.js';\n\n")
	b.WriteString("export class GeneratedPluginAPI extends ApiClientBase {\n")
	b.WriteString(strings.TrimRight(body.String(), "\n") + "\n}\n")
	return b.String()
}

// friendlierHooks are the hooks the package's PluginHooks (plugin.ts) types by hand, more simply than Go's
// signature, and Implemented, which the runtime answers itself. A hook missing here that plugin.ts also
// declares fails to compile (PluginHooks would extend two different signatures of it).
var friendlierHooks = map[string]bool{
	"Implemented": true, "ConfigurationWillBeSaved": true, "MessageHasBeenPosted": true, "MessageHasBeenUpdated": true,
	"MessageWillBePosted": true, "MessageWillBeUpdated": true, "ExecuteCommand": true, "OnPluginClusterEvent": true,
	"ServeHTTP": true, "ServeMetrics": true, "FileWillBeUploaded": true, "ChannelMemberWillBeAdded": true,
	"TeamMemberWillBeAdded": true,
}

// hooksInterface renders generated/hooks.ts: one optional method per hook, and the same methods but the
// friendlier ones as GeneratedTableHooks, which PluginHooks extends.
func (g *gen) hooksInterface(methods []method) string {
	g.reset()
	var body, table strings.Builder
	for _, m := range methods {
		ret := g.resultTS(m, tsCtx{top: true, in: true}, func(t reflect.Type) string {
			return g.ts(t, tsCtx{top: true, in: true}) + " | undefined"
		})
		if strings.HasPrefix(ret, "[") {
			ret += " | undefined"
		}
		name := tsName(m.Go)
		body.WriteString(tsDoc(m.Doc, "    "))
		fmt.Fprintf(&body, "    %s?(%s): MaybePromise<%s>;\n\n", name, g.paramsTS(m, tsCtx{top: true}), ret)
		if !friendlierHooks[m.Go] {
			fmt.Fprintf(&table, "    /** %s {@link GeneratedPluginHooks.%s} */\n", firstSentence(m.Doc), name)
			fmt.Fprintf(&table, "    %s?(...args: HookArgs<'%s'>): HookReturn<'%s'>;\n", name, name, name)
		}
	}
	var b strings.Builder
	b.WriteString("// Code generated by test/conformance/tools/apigen from github.com/mattermost/mattermost/server/public plugin.Hooks; DO NOT EDIT.\n")
	b.WriteString("// One optional method per hook, typed from the Go signature; errors are thrown, not returned.\n")
	b.WriteString(g.importLines("./types.js"))
	b.WriteString("export type MaybePromise<T> = T | Promise<T>;\n\n")
	b.WriteString("export interface GeneratedPluginHooks {\n")
	b.WriteString(strings.TrimRight(body.String(), "\n") + "\n}\n\n")
	b.WriteString("/**\n * The hooks PluginHooks takes as generated: all but those it gives a friendlier signature. Methods, not a\n")
	b.WriteString(" * mapped type over GeneratedPluginHooks: Omit would make them properties, which subclasses could not\n")
	b.WriteString(" * define as methods.\n */\n")
	b.WriteString("export interface GeneratedTableHooks {\n")
	b.WriteString(strings.TrimRight(table.String(), "\n") + "\n}\n\n")
	b.WriteString("type G = Required<GeneratedPluginHooks>;\ntype HookArgs<K extends keyof G> = Parameters<G[K]>;\ntype HookReturn<K extends keyof G> = ReturnType<G[K]>;\n")
	return b.String()
}

// firstSentence is a doc comment's first sentence on one line (or its first line, without a full stop).
func firstSentence(doc string) string {
	flat := strings.Join(strings.Fields(doc), " ")
	if i := strings.Index(flat, ". "); i >= 0 {
		return flat[:i+1]
	}
	if line, _, _ := strings.Cut(doc, "\n"); line != "" {
		return strings.TrimSpace(line)
	}
	return flat
}

// typesFile renders generated/types.ts: an interface, in JSON names, for every model without a
// @mattermost/types counterpart.
func (g *gen) typesFile() string {
	names := g.models.Close()
	g.reset()
	sort.Strings(names)
	var body strings.Builder
	for _, n := range names {
		if _, ok := mattermostTypes[n]; ok {
			continue
		}
		t, _ := g.models.Struct(n)
		var extends []string
		var fields []string
		for f := range t.Fields() {
			if !f.IsExported() {
				continue
			}
			if e := g.models.Expr(f.Type); e == "" {
				continue
			}
			tag := f.Tag.Get("json")
			jsonName, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && tag == "" && (f.Type.Kind() == reflect.Struct || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct)) {
				extends = append(extends, g.ts(f.Type, tsCtx{}))
				continue
			}
			if jsonName == "-" {
				continue
			}
			if jsonName == "" {
				jsonName = f.Name
			}
			opt := ""
			if strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer || strings.Contains(opts, "omitzero") {
				opt = "?"
			}
			key := jsonName
			if !isIdent(key) {
				key = fmt.Sprintf("%q", key)
			}
			fields = append(fields, fmt.Sprintf("    %s%s: %s;", key, opt, g.ts(f.Type, tsCtx{})))
		}
		ext := ""
		if len(extends) > 0 {
			ext = " extends " + strings.Join(extends, ", ")
		}
		fmt.Fprintf(&body, "/** %s (%s) in its JSON shape. */\n", n, t.String())
		if len(fields) == 0 {
			fmt.Fprintf(&body, "export interface %s%s {}\n\n", n, ext)
		} else {
			fmt.Fprintf(&body, "export interface %s%s {\n%s\n}\n\n", n, ext, strings.Join(fields, "\n"))
		}
	}
	for mod, ns := range g.imports {
		for n := range ns {
			if _, clash := g.models.Struct(n); clash {
				if _, mapped := mattermostTypes[n]; !mapped {
					panic(fmt.Sprintf("@mattermost/types/%s %s clashes with a generated interface", mod, n))
				}
			}
		}
	}
	g.local = map[string]bool{} // same file
	var b strings.Builder
	b.WriteString("// Code generated by test/conformance/tools/apigen from github.com/mattermost/mattermost/server/public; DO NOT EDIT.\n")
	b.WriteString("// The JSON shape of every model the plugin API and hooks exchange that @mattermost/types has no type for.\n")
	b.WriteString("/* eslint-disable max-lines */\n")
	b.WriteString(g.importLines(""))
	b.WriteString(strings.TrimRight(body.String(), "\n") + "\n")
	return b.String()
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r == '$' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}
