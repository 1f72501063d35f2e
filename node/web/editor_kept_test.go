package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A form posted after its session ended (signed out elsewhere, or idle)
// comes back with everything typed and says what to do; after signing in
// again, the form's stale token brings it back once more, with the new
// session's token, and the next press publishes. Nothing is written
// before.
func TestEditorKeepsTheFormAcrossAnEndedSession(t *testing.T) {
	f := newEditorFixture(t)
	form := with(validInterlinker(), "csrf", f.csrf(t), "op", "save", "description.lv", "Garš apraksts, ko negribas rakstīt vēlreiz")
	// The session ends (sign-out in another tab ends it everywhere).
	if w := f.do(t, http.MethodPost, "/logout", url.Values{"csrf": {form.Get("csrf")}}, []*http.Cookie{f.editor}); w.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", w.Code)
	}
	w := f.do(t, http.MethodPost, "/new/interlinker?lang=en", form, []*http.Cookie{f.editor})
	body := w.Body.String()
	if w.Code != http.StatusUnauthorized || !strings.Contains(body, "Your session has ended") ||
		!strings.Contains(body, "Garš apraksts, ko negribas rakstīt vēlreiz") || !strings.Contains(body, `value="`+form.Get("key")+`"`) {
		t.Fatalf("a post after the session ended: %d\n%s", w.Code, body)
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d objects saved by a post without a session", n)
	}
	// Signed in again: the form's token is the old session's.
	again := f.signIn(t)
	w = f.do(t, http.MethodPost, "/new/interlinker?lang=en", form, []*http.Cookie{again})
	body = w.Body.String()
	if w.Code != http.StatusForbidden || !strings.Contains(body, "signed in again") || !strings.Contains(body, "Garš apraksts") {
		t.Fatalf("a post with the old session's token: %d\n%s", w.Code, body)
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d objects saved by a post with a stale token", n)
	}
	// The page carries the new session's token: pressing again publishes.
	form.Set("csrf", csrfOf(t, body))
	if w := f.do(t, http.MethodPost, "/new/interlinker?lang=en", form, []*http.Cookie{again}); w.Code != http.StatusSeeOther {
		t.Fatalf("the post after the notice: %d\n%s", w.Code, w.Body.String())
	}
	if n := f.count(t); n != 1 {
		t.Fatalf("%d objects after publishing", n)
	}
}
