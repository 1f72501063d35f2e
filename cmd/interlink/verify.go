package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/federation/transport"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/federation/trust/chain"
	"github.com/interlink-project/interlink-node/federation/trust/jwsobj"
	"github.com/interlink-project/interlink-node/node"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
)

// exitUnverified: every signature verified but a signer has no trust chain
// to a pinned anchor.
const exitUnverified = 3

// exitCodeError carries a command's own exit code.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }
func (e *exitCodeError) ExitCode() int { return e.code }

type verifyOptions struct {
	anchors      []string
	allowPrivate bool
	asJSON       bool
}

func newVerifyCmd(g *globalFlags) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify FILE|URL [--data DIR] [--anchor ENTITY-URL#KID ...] [--json]",
		Short: "Check a signed object offline: its signatures, expiry and trust chain, step by step",
		Long: `Check a catalogue object as a receiving node would, without running a node: the JWS
structure and header rules, every co-signer's signature against its own key, the expiry,
and each signer's trust chain up to an anchor you pin. FILE is the object as served
(application/activity+json, with its "jws"), or a bare JWS; URL is fetched.

Anchors come from --anchor (ENTITY-URL#KID, repeatable) and, with --data DIR, from the
anchors that node pins (DATA/trust.json, written by a running node, with its network
policy and its own entity configuration, so that its own objects verify offline).
Signers' entity configurations and statements are fetched over HTTP(S) through the
same guarded client a node uses (no private addresses unless allowed).

FILE may also be a piece of equivocation evidence (an item of GET /api/v1/trust/equivocations:
{"iri", "version", "held", "other"}): verify then checks that both documents verify with their
signer's own key and sign two different payloads as one version of one object.

Exit status: 0 verified; 1 refused (the reason is printed); 3 every signature is valid
but some signer has no trust chain to a pinned anchor (nobody vouches for who it is);
4 the evidence proves an equivocation.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd, g, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.anchors, "anchor", nil, "pin a trust anchor: ENTITY-URL#KID[,KID...] (repeatable)")
	f.BoolVar(&o.allowPrivate, "allow-private-networks", false, "let fetches reach loopback and private addresses (test federations)")
	f.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	return cmd
}

// verifyReport is what verify found, step by step.
type verifyReport struct {
	Object    string                `json:"object,omitempty"`
	Version   uint64                `json:"version,omitempty"`
	Type      string                `json:"type,omitempty"`
	Steps     []verifyStep          `json:"steps"`
	Result    string                `json:"result"` // verified, unverified, refused, equivocation
	Signers   []protocol.SignerInfo `json:"signers,omitempty"`
	Anchors   []trust.AnchorPin     `json:"anchors"`
	Checked   time.Time             `json:"checked"`
	verifyErr error
}

type verifyStep struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

func (r *verifyReport) add(step string, ok bool, format string, args ...any) {
	r.Steps = append(r.Steps, verifyStep{Step: step, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func runVerify(cmd *cobra.Command, g *globalFlags, src string, o verifyOptions) error {
	ctx := cmd.Context()
	var local *node.TrustFileContent
	if cmd.Flags().Changed("data") || os.Getenv(envData) != "" {
		s, err := resolveSettings(cmd, g)
		if err != nil {
			return err
		}
		tf, err := readTrustFile(s.dataDir)
		if err != nil {
			return err
		}
		local = tf
	}
	pins, err := parseAnchorFlags(o.anchors)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	allowPrivate := o.allowPrivate
	skew := time.Minute
	if local != nil {
		pins = append(pins, local.Anchors...)
		allowPrivate = allowPrivate || local.AllowPrivateNetworks
		if d, err := time.ParseDuration(local.ClockSkew); err == nil {
			skew = d
		}
	}
	client := transport.New(transport.Options{AllowPrivateNetworks: allowPrivate, UserAgent: "interlink-verify/" + version})
	defer client.CloseIdleConnections()
	raw, err := readVerifyInput(ctx, client, src, cmd.InOrStdin())
	if err != nil {
		return err
	}
	rep := verify(ctx, raw, pins, verifyFetcher{client: client, local: local}, skew)
	out := cmd.OutOrStdout()
	if o.asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(out, string(b))
	} else {
		printReport(out, rep)
	}
	switch rep.Result {
	case "verified":
		return nil
	case "unverified":
		return &exitCodeError{code: exitUnverified, err: fmt.Errorf("signatures valid, but not verified: %s", rep.Steps[len(rep.Steps)-1].Detail)}
	case "equivocation":
		return &exitCodeError{code: exitEquivocation, err: errors.New("equivocation proven: " + rep.Steps[len(rep.Steps)-1].Detail)}
	}
	return &exitCodeError{code: exitError, err: fmt.Errorf("refused: %w", rep.verifyErr)}
}

func readTrustFile(dataDir string) (*node.TrustFileContent, error) {
	path := filepath.Join(dataDir, node.TrustFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w (start the node once with this data directory, or pass --anchor instead of --data)", path, err)
	}
	var tf node.TrustFileContent
	if err := json.Unmarshal(raw, &tf); err != nil {
		return nil, fmt.Errorf("%s is not a trust file: %w", path, err)
	}
	return &tf, nil
}

// parseAnchorFlags reads ENTITY-URL#KID[,KID...] pins.
func parseAnchorFlags(list []string) ([]trust.AnchorPin, error) {
	var pins []trust.AnchorPin
	for _, a := range list {
		id, kids, ok := strings.Cut(a, "#")
		if !ok || id == "" || kids == "" {
			return nil, fmt.Errorf("--anchor %q: write ENTITY-URL#KID (the thumbprint `interlink anchor init` printed)", a)
		}
		pins = append(pins, trust.AnchorPin{EntityID: strings.TrimRight(id, "/"), Kids: strings.Split(kids, ",")})
	}
	return pins, nil
}

// readVerifyInput reads FILE, "-" (stdin) or GETs URL.
func readVerifyInput(ctx context.Context, client *transport.Client, src string, stdin io.Reader) ([]byte, error) {
	switch {
	case src == "-":
		return io.ReadAll(io.LimitReader(stdin, activity.MaxDocumentBytes+1))
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", src, err)
		}
		req.Header.Set("Accept", activity.AcceptHeader)
		resp, err := client.Do(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w (for a node on this machine, pass --allow-private-networks)", src, err)
		}
		if resp.Status != http.StatusOK {
			return nil, fmt.Errorf("fetch %s: the server answered %d", src, resp.Status)
		}
		return resp.Body, nil
	}
	raw, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	return raw, nil
}

// extractJWS finds the JWS: the document itself (payload + signatures) or
// the jws member of an ActivityStreams object.
func extractJWS(raw []byte) ([]byte, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, ok := probe["signatures"]; ok {
		return bytes.TrimSpace(raw), nil
	}
	p, err := activity.ParseObject(raw)
	if err != nil {
		return nil, err
	}
	if p.JWS == nil {
		return nil, errors.New("the object carries no jws: it is not a signed catalogue object")
	}
	return p.JWS, nil
}

// verifyFetcher fetches over the guarded client; for the data directory's
// own node it falls back to the entity configuration saved in trust.json.
type verifyFetcher struct {
	client *transport.Client
	local  *node.TrustFileContent
}

func (f verifyFetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	body, err := f.get(ctx, url)
	if err != nil && f.local != nil && url == f.local.EntityID+trust.WellKnownPath && f.local.EntityConfiguration != "" {
		return []byte(f.local.EntityConfiguration), nil
	}
	return body, err
}

func (f verifyFetcher) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", trust.MediaTypeStatement)
	resp, err := f.client.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	switch resp.Status {
	case http.StatusOK:
		return resp.Body, nil
	case http.StatusNotFound, http.StatusGone:
		return nil, fmt.Errorf("%s: %w (HTTP %d)", url, chain.ErrNotFound, resp.Status)
	}
	return nil, fmt.Errorf("%s: HTTP %d", url, resp.Status)
}

// verify runs every step and records each.
func verify(ctx context.Context, raw []byte, pins []trust.AnchorPin, fetcher chain.Fetcher, skew time.Duration) *verifyReport {
	now := time.Now()
	rep := &verifyReport{Anchors: pins, Checked: now.UTC(), Result: "refused"}
	if rep.Anchors == nil {
		rep.Anchors = []trust.AnchorPin{}
	}
	if e, ok := asEvidence(raw); ok {
		resolver, err := newVerifyResolver(pins, fetcher, skew)
		if err != nil {
			rep.add("anchors", false, "%v", err)
			rep.verifyErr = err
			return rep
		}
		verifyEquivocation(ctx, rep, e, resolver, now, skew)
		return rep
	}
	jws, err := extractJWS(raw)
	if err != nil {
		rep.add("structure", false, "%v", err)
		rep.verifyErr = err
		return rep
	}
	in, err := jwsobj.Inspect(jws)
	if err != nil {
		rep.add("structure", false, "%v", err)
		rep.verifyErr = err
		return rep
	}
	rep.Object, rep.Version, rep.Type = in.Payload.Sub, in.Payload.Ver, in.Payload.Type
	var names []string
	for _, s := range in.Sigs {
		names = append(names, s.Signer)
	}
	rep.add("structure", true, "JWS general serialization, %d signature(s) by %s; cosigners %s", len(in.Sigs), strings.Join(names, ", "), strings.Join(in.Payload.Cosigners, ", "))
	resolver, err := newVerifyResolver(pins, fetcher, skew)
	if err != nil {
		rep.add("anchors", false, "%v", err)
		rep.verifyErr = err
		return rep
	}
	r, chainErr, err := trust.VerifyWith(ctx, resolver, jws, now, time.Time{}, skew)
	if err != nil {
		step := "signature"
		switch {
		case errors.Is(err, jwsobj.ErrExpired), errors.Is(err, jwsobj.ErrNotYetValid):
			step = "expiry"
		case errors.Is(err, jwsobj.ErrForgedOrigin):
			step = "origin"
		case errors.Is(err, chain.ErrRevoked):
			step = "revocation"
		}
		rep.add(step, false, "%v", err)
		rep.verifyErr = err
		return rep
	}
	rep.add("signature", true, "all %d signature(s) verify, each with its signer's own content key", len(r.Signers))
	rep.add("expiry", true, "valid from %s until %s", time.Unix(r.Payload.Iat, 0).UTC().Format(time.RFC3339), time.Unix(r.Payload.Exp, 0).UTC().Format(time.RFC3339))
	rep.add("origin", true, "%s is on the origin of its issuer %s", r.Payload.Sub, r.Payload.Iss)
	rep.Signers = r.Verification.Signers
	if chainErr != nil {
		if len(pins) == 0 {
			rep.add("chain", false, "no anchor pinned (pass --anchor or --data): %v", chainErr)
		} else {
			rep.add("chain", false, "%v", chainErr)
		}
		rep.Result = "unverified"
		return rep
	}
	for _, s := range r.Verification.Signers {
		rep.add("chain", true, "%s: %s (%s, %s) via %s", s.EntityID, s.Name, s.Country, s.OrgKind, strings.Join(s.Path, " → "))
	}
	rep.Result = "verified"
	return rep
}

// newVerifyResolver resolves chains up to pins.
func newVerifyResolver(pins []trust.AnchorPin, fetcher chain.Fetcher, skew time.Duration) (*chain.Resolver, error) {
	cpins := make([]chain.Anchor, 0, len(pins))
	for _, p := range pins {
		cpins = append(cpins, chain.Anchor{EntityID: p.EntityID, Kids: p.Kids})
	}
	return chain.New(chain.Config{Anchors: cpins, Fetcher: fetcher, Skew: skew})
}

func printReport(w io.Writer, rep *verifyReport) {
	if rep.Object != "" {
		fmt.Fprintf(w, "object      %s (version %d, %s)\n", rep.Object, rep.Version, rep.Type)
	}
	for _, s := range rep.Steps {
		mark := "ok"
		if !s.OK {
			mark = "FAILED"
		}
		fmt.Fprintf(w, "%-11s %-6s %s\n", s.Step, mark, s.Detail)
	}
	switch rep.Result {
	case "verified":
		fmt.Fprintln(w, "result      VERIFIED")
	case "unverified":
		fmt.Fprintln(w, "result      SIGNATURES VALID, NOT VERIFIED (no trust chain to a pinned anchor)")
	case "equivocation":
		fmt.Fprintln(w, "result      EQUIVOCATION PROVEN (one signer, two different versions with one number)")
	default:
		fmt.Fprintln(w, "result      REFUSED")
	}
}
