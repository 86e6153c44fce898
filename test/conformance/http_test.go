package conformance

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"triggeralerts/conformance/harness"
)

// echoReply is the JSON body of /echo.
type echoReply struct {
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	RawQuery   string              `json:"rawQuery"`
	Query      map[string][]string `json:"query"`
	Headers    map[string][]string `json:"headers"`
	UserID     string              `json:"userId"`
	BodyLength int64               `json:"bodyLength"`
	BodySha256 string              `json:"bodySha256"`
}

func echo(t *testing.T, h *harness.Host, req harness.Request) (harness.Response, echoReply) {
	t.Helper()
	resp := h.ServeHTTP(req)
	require.Equal(t, http.StatusOK, resp.Code, "status; body: %.300s", resp.Body.String())
	assertMediaType(t, "application/json", resp.Header().Get("Content-Type"))
	assert.Equal(t, []string{"a", "b"}, resp.Header().Values("X-Conformance"), "repeated response header")
	var e echoReply
	require.NoError(t, json.Unmarshal(resp.Body.Bytes(), &e), "body: %.300s", resp.Body.String())
	return resp, e
}

// assertMediaType checks the media type of a Content-Type value (parameters such as charset
// are allowed).
func assertMediaType(t *testing.T, want, contentType string) {
	t.Helper()
	mt, _, err := mime.ParseMediaType(contentType)
	if assert.NoError(t, err, "Content-Type %q", contentType) {
		assert.Equal(t, want, mt, "Content-Type %q", contentType)
	}
}

// wantHeaders is what /echo should report for the request headers h (plus Mattermost-User-Id).
func wantHeaders(h http.Header, userID string) map[string][]string {
	out := map[string][]string{}
	for k, vs := range h {
		out[strings.ToLower(k)] = append(out[strings.ToLower(k)], vs...)
	}
	delete(out, "referer") // the server removes it
	delete(out, "mattermost-user-id")
	if userID != "" {
		out["mattermost-user-id"] = []string{userID}
	}
	return out
}

// checkHeaders compares the echoed headers; a "host" header is tolerated when it carries the
// request's Host (see CONTRACT.md).
func checkHeaders(t *testing.T, want map[string][]string, got map[string][]string) {
	t.Helper()
	if hv, ok := got["host"]; ok {
		if _, sent := want["host"]; !sent {
			assert.Equal(t, []string{"example.com"}, hv, "host header")
			delete(got, "host")
		}
	}
	assert.Equal(t, want, got, "headers")
}

// TestServeHTTP covers methods, paths, query strings, headers, the user id, large bodies in
// both directions, status codes, and a failing handler.
func TestServeHTTP(t *testing.T) {
	h := start(t)

	t.Run("GET with query and headers", func(t *testing.T) {
		q := url.Values{}
		q.Add("a", "1")
		q.Add("a", "2")
		q.Add("a", "")
		q.Add("ünï code", "välue ✓ 🎉")
		q.Add("esc", "x&y=z?#/%+ ;")
		q.Add("empty", "")
		q.Add("access_token", "secret") // removed by the server
		rawQuery := strings.ReplaceAll(q.Encode(), "+", "%20") + "&plus=a+b"
		hdr := http.Header{
			"X-Multi":         {"one", "two", "three"},
			"X-Unicode":       {"välue ✓"},
			"Accept-Language": {"de-CH, de;q=0.9"},
			"User-Agent":      {"conformance-agent/1.0"},
			"Connection-Id":   {"conn-42"},
			"Referer":         {"https://elsewhere.example/"},
			"Accept":          {"application/json", "text/plain"},
		}
		resp, e := echo(t, h, harness.Request{Method: http.MethodGet, Path: "/echo?" + rawQuery, Header: hdr, UserID: aliceID})

		assert.Equal(t, "GET", e.Method)
		assert.Equal(t, "/echo", e.Path)
		wantQ, err := url.ParseQuery(rawQuery)
		require.NoError(t, err)
		wantQ.Del("access_token")
		assert.Equal(t, wantQ.Encode(), e.RawQuery, "raw query, as the server re-encodes it")
		assert.Equal(t, map[string][]string(wantQ), e.Query)
		checkHeaders(t, wantHeaders(hdr, aliceID), e.Headers)
		assert.Equal(t, aliceID, e.UserID)
		assert.Equal(t, int64(0), e.BodyLength)
		empty := sha256.Sum256(nil)
		assert.Equal(t, hex.EncodeToString(empty[:]), e.BodySha256)

		// The context the host built for the request.
		assert.Equal(t, "de-CH, de;q=0.9", resp.Context.AcceptLanguage)
		assert.Equal(t, "conformance-agent/1.0", resp.Context.UserAgent)
		if harness.HostHasConnectionID {
			assert.Equal(t, "conn-42", harness.ConnectionID(resp.Context))
		}
	})

	t.Run("anonymous user", func(t *testing.T) {
		hdr := http.Header{"Mattermost-User-Id": {"forged"}}
		_, e := echo(t, h, harness.Request{Method: http.MethodGet, Path: "/echo", Header: hdr})
		assert.Equal(t, "", e.UserID, "a client cannot set Mattermost-User-Id")
		checkHeaders(t, map[string][]string{}, e.Headers)
	})

	t.Run("POST 1 MiB body", func(t *testing.T) {
		body := make([]byte, 1<<20)
		_, _ = rand.Read(body)
		sum := sha256.Sum256(body)
		hdr := http.Header{"Content-Type": {"application/octet-stream"}}
		_, e := echo(t, h, harness.Request{Method: http.MethodPost, Path: "/echo", Header: hdr, Body: body, UserID: bobID})
		assert.Equal(t, "POST", e.Method)
		assert.Equal(t, int64(len(body)), e.BodyLength)
		assert.Equal(t, hex.EncodeToString(sum[:]), e.BodySha256)
		assert.Equal(t, bobID, e.UserID)
		checkHeaders(t, wantHeaders(hdr, bobID), e.Headers)
	})

	t.Run("POST small unicode body", func(t *testing.T) {
		body := []byte(unicodeSample)
		sum := sha256.Sum256(body)
		_, e := echo(t, h, harness.Request{Method: http.MethodPost, Path: "/echo?x=1", Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: body})
		assert.Equal(t, int64(len(body)), e.BodyLength)
		assert.Equal(t, hex.EncodeToString(sum[:]), e.BodySha256)
		assert.Equal(t, "x=1", e.RawQuery)
	})

	t.Run("GET 1 MiB response", func(t *testing.T) {
		const n = 1 << 20
		resp := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: fmt.Sprintf("/bytes?n=%d", n)})
		require.Equal(t, http.StatusOK, resp.Code)
		assertMediaType(t, "application/octet-stream", resp.Header().Get("Content-Type"))
		got := resp.Body.Bytes()
		require.Equal(t, n, len(got), "length")
		for i, b := range got {
			if b != byte(i%251) {
				t.Fatalf("byte %d is %d, want %d", i, b, i%251)
			}
		}
	})

	t.Run("GET 0 bytes", func(t *testing.T) {
		resp := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: "/bytes?n=0"})
		require.Equal(t, http.StatusOK, resp.Code)
		assert.Equal(t, 0, resp.Body.Len())
	})

	for _, code := range []int{200, 201, 204, 400, 404, 500} {
		t.Run(fmt.Sprintf("status %d", code), func(t *testing.T) {
			resp := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: fmt.Sprintf("/status/%d", code)})
			assert.Equal(t, code, resp.Code)
			if code == http.StatusNoContent {
				assert.Equal(t, "", resp.Body.String())
			} else {
				assert.Equal(t, fmt.Sprintf("status %d", code), resp.Body.String())
			}
		})
	}

	t.Run("throw", func(t *testing.T) {
		resp := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: "/throw"})
		assert.Equal(t, http.StatusInternalServerError, resp.Code)
		// The plugin still answers.
		_, e := echo(t, h, harness.Request{Method: http.MethodGet, Path: "/echo?after=throw"})
		assert.Equal(t, "after=throw", e.RawQuery)
		h.Do("PerformHealthCheck", func() { require.NoError(t, h.Env.PerformHealthCheck(harness.PluginID)) })
	})
}
