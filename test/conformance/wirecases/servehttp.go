// Package wirecases builds the arguments Mattermost's plugin host sends with a ServeHTTP call,
// using the real types of the server/public version this module is built with, and encodes them
// with encoding/gob as net/rpc does. cmd/servehttppeer writes them out as fixtures for the
// TypeScript unit tests (packages/mattermost-plugin-node/test/runtime/fixtures), and the conformance suite checks, on every
// line of the release matrix, that the fixture of its version is exactly what its types encode.
//
// The request's type changed in server/public v0.1.11 (Mattermost 10.7): Z_ServeHTTPArgs.Request
// was a *net/http.Request, and is now a *plugin.HTTPRequestSubset. The host fills the same
// fields in both (Method, URL, Proto, ProtoMajor, ProtoMinor, Header, Host, RemoteAddr,
// RequestURI), so the cases set those fields by name on whichever type this version has.
package wirecases

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"

	"github.com/mattermost/mattermost/server/public/plugin"
)

// PublicModule is the module path of Mattermost's server/public.
const PublicModule = "github.com/mattermost/mattermost/server/public"

// Request is what the host forwards for one request: the fields it copies from the incoming
// *http.Request. The server has already removed /plugins/<id> from URL.Path; RequestURI keeps it.
type Request struct {
	Method     string
	URL        string // as url.Parse reads it
	Header     http.Header
	Host       string
	RemoteAddr string
	RequestURI string
}

// Case is one ServeHTTP call.
type Case struct {
	Name                 string
	ResponseWriterStream uint32
	RequestBodyStream    uint32 // 0: the request has no body
	Context              plugin.Context
	Request              Request
}

// Cases are the calls of the fixtures. Each header map has one key so that gob's output, which
// follows Go's random map order, is deterministic.
func Cases() []Case {
	return []Case{
		{
			Name: "get", ResponseWriterStream: 3,
			Context: plugin.Context{SessionId: "session-1", RequestId: "request-1", IPAddress: "192.0.2.7", AcceptLanguage: "de-CH", UserAgent: "agent/1.0"},
			Request: Request{
				Method: http.MethodGet, URL: "/echo?a=1&a=2&%C3%BC=%E2%9C%93",
				Header: http.Header{"Accept-Language": {"de-CH", "de;q=0.9"}},
				Host:   "chat.example.com", RemoteAddr: "192.0.2.7:53211",
				RequestURI: "/plugins/com.example.conformance/echo?a=1&a=2&%C3%BC=%E2%9C%93",
			},
		},
		{
			Name: "post", ResponseWriterStream: 5, RequestBodyStream: 7,
			Context: plugin.Context{RequestId: "request-2", IPAddress: "2001:db8::1"},
			Request: Request{
				Method: http.MethodPost, URL: "/api/items/%2Fslash%20space",
				Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Host:   "chat.example.com:8065", RemoteAddr: "[2001:db8::1]:40000",
				RequestURI: "/plugins/com.example.conformance/api/items/%2Fslash%20space",
			},
		},
		{
			Name: "delete-unicode", ResponseWriterStream: 9,
			Request: Request{
				Method: http.MethodDelete, URL: "/words/d%C3%A9ploy",
				Header: http.Header{"X-Note": {"café ✓", ""}},
				Host:   "chat.example.com", RemoteAddr: "198.51.100.1:1",
				RequestURI: "/plugins/com.example.conformance/words/d%C3%A9ploy",
			},
		},
	}
}

// Encode returns the gob stream of the Z_ServeHTTPArgs the host sends for c (type definitions,
// then the value), and the Go type of its Request field ("*http.Request" or
// "*plugin.HTTPRequestSubset").
func Encode(c Case) ([]byte, string, error) {
	var args plugin.Z_ServeHTTPArgs
	v := reflect.ValueOf(&args).Elem()
	v.FieldByName("ResponseWriterStream").SetUint(uint64(c.ResponseWriterStream))
	v.FieldByName("RequestBodyStream").SetUint(uint64(c.RequestBodyStream))
	ctx := c.Context
	v.FieldByName("Context").Set(reflect.ValueOf(&ctx))

	reqField := v.FieldByName("Request")
	req := reflect.New(reqField.Type().Elem())
	u, err := url.Parse(c.Request.URL)
	if err != nil {
		return nil, "", fmt.Errorf("case %s: %w", c.Name, err)
	}
	for name, value := range map[string]any{
		"Method": c.Request.Method, "URL": u, "Proto": "HTTP/1.1", "ProtoMajor": 1, "ProtoMinor": 1,
		"Header": c.Request.Header, "Host": c.Request.Host, "RemoteAddr": c.Request.RemoteAddr, "RequestURI": c.Request.RequestURI,
	} {
		f := req.Elem().FieldByName(name)
		if !f.IsValid() {
			return nil, "", fmt.Errorf("%s has no field %s", req.Type(), name)
		}
		f.Set(reflect.ValueOf(value).Convert(f.Type()))
	}
	reqField.Set(req)

	var buf bytes.Buffer
	// The host passes the struct by value to net/rpc, whose codec gob-encodes it.
	if err := gob.NewEncoder(&buf).Encode(args); err != nil {
		return nil, "", fmt.Errorf("case %s: %w", c.Name, err)
	}
	return buf.Bytes(), reqField.Type().String(), nil
}

// PublicVersion is the version of server/public this binary was built with. Test binaries carry
// no module list, so it is read from the path of the plugin package's source, which the module
// cache names <module>@<version> (with or without -trimpath).
func PublicVersion() (string, error) {
	pc := reflect.ValueOf(plugin.NewEnvironment).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return "", fmt.Errorf("no symbol information for plugin.NewEnvironment")
	}
	file, _ := fn.FileLine(pc)
	_, after, ok := strings.Cut(filepath.ToSlash(file), PublicModule+"@")
	if !ok {
		return "", fmt.Errorf("plugin.NewEnvironment is not built from the module cache (%s): a replace or workspace?", file)
	}
	version, _, _ := strings.Cut(after, "/")
	return version, nil
}

// Fixture is the JSON file cmd/servehttppeer writes.
type Fixture struct {
	Module      string        `json:"module"`      // the server/public version
	RequestType string        `json:"requestType"` // Go type of Z_ServeHTTPArgs.Request
	Cases       []FixtureCase `json:"cases"`
}

// FixtureCase is one call: the gob stream and what it carries.
type FixtureCase struct {
	Name                 string         `json:"name"`
	Gob                  []byte         `json:"gob"` // base64 in JSON
	ResponseWriterStream uint32         `json:"responseWriterStream"`
	RequestBodyStream    uint32         `json:"requestBodyStream"`
	Context              plugin.Context `json:"context"`
	Request              Request        `json:"request"`
}

// BuildFixture encodes every case with this build's types.
func BuildFixture() (*Fixture, error) {
	version, err := PublicVersion()
	if err != nil {
		return nil, err
	}
	f := &Fixture{Module: version}
	for _, c := range Cases() {
		b, reqType, err := Encode(c)
		if err != nil {
			return nil, err
		}
		f.RequestType = reqType
		f.Cases = append(f.Cases, FixtureCase{
			Name: c.Name, Gob: b, ResponseWriterStream: c.ResponseWriterStream, RequestBodyStream: c.RequestBodyStream,
			Context: c.Context, Request: c.Request,
		})
	}
	return f, nil
}
