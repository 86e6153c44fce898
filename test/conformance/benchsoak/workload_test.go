package benchsoak

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// The workload: a deterministic script per worker, generated together with its expected alert
// DMs. Every channel belongs to one worker, which sends all of that channel's posts and updates
// one after the other (each update acknowledged before the next event), so the state a post
// meets — who is a member, who has which words, who snoozed the channel — is exactly the state
// the generator modelled when it generated the post. The workers run at the same time, so the
// servers see posts and updates of different channels interleaved, and the users' indexes and
// flood counters (one per user, across channels) contended.

// Workload shape.
const (
	nChannels        = 24
	nUsers           = 200
	channelsPerUser  = 8   // each user is a member of this many channels at the start
	wordPool         = 400 // distinct words (shared between users)
	phraseEvery      = 8   // every n-th word of the pool is a two-word phrase
	initialWordsProb = 0.3 // a member starts with words in a channel with this probability
	maxWordsPerUser  = 6
	updateEvery      = 20 // about one update per this many posts
	mentionProb      = 0.2
)

// evKind is what an event does.
type evKind int

const (
	evPost       evKind = iota // MessageHasBeenPosted
	evPutWords                 // PUT /channels/{id}/words
	evAddWord                  // POST /channels/{id}/words
	evDeleteWord               // DELETE /channels/{id}/words/{word}
	evSnooze                   // PUT /channels/{id}/snooze {"duration": "1h"}
	evUnsnooze                 // PUT /channels/{id}/snooze {"duration": "off"}
	evLeave                    // the user leaves the channel (the server's membership)
	evJoin                     // the user joins it again
	evKinds
)

var evNames = [...]string{"post", "PUT words", "POST word", "DELETE word", "snooze", "unsnooze", "leave", "join"}

func (k evKind) String() string { return evNames[k] }

// event is one step of a worker's script.
type event struct {
	kind    evKind
	server  int // 0 or 1
	channel int
	user    int      // the author of a post, the user of an update
	words   []string // PUT: the new list; POST/DELETE: the one word; post: nothing
	post    *model.Post
	want    []string // updates: the user's words afterwards, as the answer must list them
}

// expectedDM is one alert DM the run must deliver.
type expectedDM struct {
	postID string
	user   int
	words  []string // the user's words the post names (compared as a set)
}

// channelModel is the state of one channel as the generator tracks it.
type channelModel struct {
	member  map[int]bool
	words   map[int][]string // user -> words, in the order the API keeps them
	snoozed map[int]bool
}

// workload is the whole generated run.
type workload struct {
	pool     []string
	initial  []map[int][]string // channel -> user -> words at the start
	members  []map[int]bool     // channel -> members at the start
	scripts  [][]event          // per worker
	expected []expectedDM
	posts    int
	updates  map[evKind]int
}

func poolWord(i int) string {
	w := fmt.Sprintf("kq%sx", base36(i))
	if i%phraseEvery == 0 {
		// A phrase: matches only as the two tokens in a row.
		return w + " " + fmt.Sprintf("zv%sy", base36(i))
	}
	return w
}

func base36(i int) string { return strconv.FormatInt(int64(i), 36) }

// filler is everyday chat without any pool word.
var filler = []string{
	"We will ship the new release tonight; whoever is around please watch the dashboards.",
	"Thanks! Merged, the build is green. Next: the migration script, then the docs (https://docs.example.com/guide#setup).",
	"Can someone review PR 4211? It touches the cache layer :+1:",
	"Standup moved to 10:30 tomorrow. Agenda: incidents, the roadmap, hiring.",
	"lol yes 😅 that was me, sorry — fixed in main now",
	"The staging cluster is back after the node pool resize; p95 under 180 ms.",
	"Reminder: the office is closed on Friday, so plan the deploys for Thursday.",
	"日本語のメッセージもあります。よろしくお願いします。",
}

// generate builds the workload for `posts` posts over `workers` workers from seed.
func generate(seed int64, posts, workers int) *workload {
	rng := rand.New(rand.NewSource(seed))
	wl := &workload{updates: map[evKind]int{}}
	for i := range wordPool {
		wl.pool = append(wl.pool, poolWord(i))
	}
	models := make([]*channelModel, nChannels)
	for c := range models {
		models[c] = &channelModel{member: map[int]bool{}, words: map[int][]string{}, snoozed: map[int]bool{}}
	}
	for u := range nUsers {
		for _, c := range rng.Perm(nChannels)[:channelsPerUser] {
			models[c].member[u] = true
			if rng.Float64() < initialWordsProb {
				models[c].words[u] = pickWords(rng, wl.pool, 1+rng.Intn(3))
			}
		}
	}
	for _, m := range models {
		wl.members = append(wl.members, cloneMembers(m.member))
		wl.initial = append(wl.initial, cloneWords(m.words))
	}

	// Spread the posts over the channels (so over the workers), then write each worker's script.
	perChannel := make([]int, nChannels)
	for range posts {
		perChannel[rng.Intn(nChannels)]++
	}
	wl.scripts = make([][]event, workers)
	for w := range workers {
		wrng := rand.New(rand.NewSource(seed*1000 + int64(w)))
		var mine []int
		left := 0
		for c := w; c < nChannels; c += workers {
			mine = append(mine, c)
			left += perChannel[c]
		}
		remaining := slices.Clone(perChannel)
		for left > 0 {
			// A channel with posts left, weighted by how many.
			k := wrng.Intn(left)
			c := mine[0]
			for _, cc := range mine {
				if k < remaining[cc] {
					c = cc
					break
				}
				k -= remaining[cc]
			}
			m := models[c]
			if wrng.Intn(updateEvery) == 0 {
				if ev, ok := wl.update(wrng, c, m); ok {
					wl.scripts[w] = append(wl.scripts[w], ev)
					wl.updates[ev.kind]++
				}
			}
			wl.scripts[w] = append(wl.scripts[w], wl.newPost(wrng, c, m))
			remaining[c]--
			left--
			wl.posts++
		}
	}
	return wl
}

func cloneMembers(m map[int]bool) map[int]bool {
	out := map[int]bool{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneWords(m map[int][]string) map[int][]string {
	out := map[int][]string{}
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

func pickWords(rng *rand.Rand, pool []string, n int) []string {
	var out []string
	for len(out) < n {
		w := pool[rng.Intn(len(pool))]
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func membersOf(m *channelModel) []int {
	var out []int
	for u, in := range m.member {
		if in {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// update picks an update for channel c and applies it to the model: the kind first, then a user
// it suits (a member with words for a DELETE, a snoozed member to unsnooze, ...).
func (wl *workload) update(rng *rand.Rand, c int, m *channelModel) (event, bool) {
	members := membersOf(m)
	pick := func(ok func(u int) bool) (int, bool) {
		var fit []int
		for _, u := range members {
			if ok(u) {
				fit = append(fit, u)
			}
		}
		if len(fit) == 0 {
			return 0, false
		}
		return fit[rng.Intn(len(fit))], true
	}
	hasWords := func(u int) bool { return len(m.words[u]) > 0 }
	ev := event{channel: c, server: rng.Intn(2)}
	r := rng.Intn(100)
	var ok bool
	switch {
	case r < 20:
		ev.kind = evPutWords
		ev.user, ok = pick(func(int) bool { return true })
		ev.words = pickWords(rng, wl.pool, 1+rng.Intn(4))
	case r < 42:
		ev.kind = evAddWord
		ev.user, ok = pick(func(u int) bool { return len(m.words[u]) < maxWordsPerUser })
		if ok {
			w := wl.pool[rng.Intn(len(wl.pool))]
			if slices.Contains(m.words[ev.user], w) {
				return event{}, false
			}
			ev.words = []string{w}
		}
	case r < 62:
		ev.kind = evDeleteWord
		ev.user, ok = pick(hasWords)
		if ok {
			cur := m.words[ev.user]
			ev.words = []string{cur[rng.Intn(len(cur))]}
		}
	case r < 67:
		ev.kind = evPutWords // clear
		ev.user, ok = pick(hasWords)
		ev.words = []string{}
	case r < 77:
		ev.kind = evSnooze
		ev.user, ok = pick(func(u int) bool { return !m.snoozed[u] && hasWords(u) })
	case r < 85:
		ev.kind = evUnsnooze
		ev.user, ok = pick(func(u int) bool { return m.snoozed[u] })
	case r < 92:
		ev.kind = evLeave
		ev.user, ok = pick(hasWords)
		ok = ok && len(members) > 3
	default:
		// Someone who is not a member (anymore) joins.
		var away []int
		for u := range nUsers {
			if !m.member[u] {
				away = append(away, u)
			}
		}
		if len(away) > 0 {
			ev.kind, ev.user, ok = evJoin, away[rng.Intn(len(away))], true
		}
	}
	if !ok {
		return event{}, false
	}
	u := ev.user
	switch ev.kind {
	case evPutWords:
		m.words[u] = slices.Clone(ev.words)
	case evAddWord:
		m.words[u] = append(slices.Clone(m.words[u]), ev.words[0])
	case evDeleteWord:
		m.words[u] = slices.DeleteFunc(slices.Clone(m.words[u]), func(x string) bool { return x == ev.words[0] })
	case evSnooze, evUnsnooze:
		m.snoozed[u] = ev.kind == evSnooze
	case evLeave:
		m.member[u] = false
	case evJoin:
		m.member[u] = true
	}
	if len(m.words[u]) == 0 {
		delete(m.words, u)
	}
	ev.want = slices.Clone(m.words[u])
	if ev.want == nil {
		ev.want = []string{}
	}
	return ev, true
}

// newPost builds a post in channel c by a member and records the DMs it must cause.
func (wl *workload) newPost(rng *rand.Rand, c int, m *channelModel) event {
	members := membersOf(m)
	author := members[rng.Intn(len(members))]
	var parts []string
	for n := 1 + rng.Intn(3); n > 0; n-- {
		parts = append(parts, filler[rng.Intn(len(filler))])
	}
	if rng.Float64() < mentionProb {
		// Words of the channel's users mostly, any pool word sometimes.
		var inChannel []string
		for _, u := range sortedUsers(m.words) {
			inChannel = append(inChannel, m.words[u]...)
		}
		for n := 1 + rng.Intn(2); n > 0; n-- {
			w := wl.pool[rng.Intn(len(wl.pool))]
			if len(inChannel) > 0 && rng.Intn(4) != 0 {
				w = inChannel[rng.Intn(len(inChannel))]
			}
			parts = slices.Insert(parts, rng.Intn(len(parts)+1), dress(rng, w))
		}
	}
	if rng.Intn(10) == 0 {
		// A near miss: no match (word characters or "-" glued to a word).
		w := strings.Fields(wl.pool[rng.Intn(len(wl.pool))])[0]
		parts = slices.Insert(parts, rng.Intn(len(parts)+1), []string{w + "s", "pre-" + w, w + "_x"}[rng.Intn(3)])
	}
	msg := strings.Join(parts, " ")
	p := &model.Post{Id: model.NewId(), Message: msg}
	named := namedWords(msg)
	for _, u := range sortedUsers(m.words) {
		if u == author || !m.member[u] || m.snoozed[u] {
			continue
		}
		var hit []string
		for _, w := range m.words[u] {
			if named(w) {
				hit = append(hit, w)
			}
		}
		if len(hit) > 0 {
			wl.expected = append(wl.expected, expectedDM{postID: p.Id, user: u, words: hit})
		}
	}
	return event{kind: evPost, channel: c, user: author, post: p, server: rng.Intn(2)}
}

func sortedUsers(m map[int][]string) []int {
	var out []int
	for u := range m {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// dress writes a word the way people do: as is, capitalised, or in punctuation.
func dress(rng *rand.Rand, w string) string {
	switch rng.Intn(6) {
	case 0:
		return strings.ToUpper(w)
	case 1:
		return "(" + w + ")"
	case 2:
		return w + "!"
	case 3:
		return "**" + w + "**"
	default:
		return w
	}
}

// namedWords returns a test for "the text names this pool word": the word's tokens appear in a
// row among the text's tokens, compared case-insensitively, where a token is a run of ASCII
// letters, digits, "-" and "_" (word characters for the matcher). The pool's words (ASCII) and the
// filler (no pool word) are chosen so that this simple rule and the product's matcher agree.
func namedWords(text string) func(word string) bool {
	tokens := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
	return func(word string) bool {
		want := strings.Fields(word)
		for i := 0; i+len(want) <= len(tokens); i++ {
			if slices.Equal(tokens[i:i+len(want)], want) {
				return true
			}
		}
		return false
	}
}
