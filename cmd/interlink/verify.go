package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// exitUnverified: every signature verified but a signer has no trust chain
// to a pinned anchor.
const exitUnverified = 3

// exitFetch: a document verify needs (the object at a URL, a signer's
// entity configuration or statement) could not be fetched, so nothing was
// judged: try again, or check the network, not the object.
const exitFetch = 5

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

FILE may also be a co-production process bundle (interlink process export): verify then
replays its whole history, every entry and change against its signer's key and chain.

FILE may also be a piece of equivocation evidence (an item of GET /api/v1/trust/equivocations:
{"iri", "version", "held", "other"}): verify then checks that both documents verify with their
signer's own key and sign two different payloads as one version of one object.

Exit status: 0 verified; 1 refused (the reason is printed), or verify could not run
(a file that cannot be read); 2 the command line is wrong; 3 every signature is valid
but some signer has no trust chain to a pinned anchor (nobody vouches for who it is);
4 the evidence proves an equivocation; 5 a document could not be fetched (the object's
URL, or a signer's entity configuration or statement): nothing was judged.`,
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
	Result    string                `json:"result"` // verified, unverified, refused, equivocation, fetch-failed
	Signers   []protocol.SignerInfo `json:"signers,omitempty"`
	Anchors   []trustchain.Anchor   `json:"anchors"`
	Checked   time.Time             `json:"checked"`
	verifyErr error
	chainErr  error // why the result is unverified
}

// chainOrVerifyErr is why the object was refused or not verified.
func (r *verifyReport) chainOrVerifyErr() error {
	if r.verifyErr != nil {
		return r.verifyErr
	}
	return r.chainErr
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
	net := newVerifyNetwork(allowPrivate, local)
	defer net.close()
	raw, err := readVerifyInput(ctx, net.getObject, src, cmd.InOrStdin())
	if err != nil {
		if isURL(src) {
			return &exitCodeError{code: exitFetch, err: err}
		}
		return err
	}
	rep := verify(ctx, raw, pins, net, skew)
	if rep.Result != "verified" && errors.Is(rep.chainOrVerifyErr(), trustchain.ErrFetch) {
		rep.Result = "fetch-failed"
	}
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
	case "fetch-failed":
		return &exitCodeError{code: exitFetch, err: fmt.Errorf("not judged: a document could not be fetched: %w", rep.chainOrVerifyErr())}
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
func parseAnchorFlags(list []string) ([]trustchain.Anchor, error) {
	var pins []trustchain.Anchor
	for _, a := range list {
		id, kids, ok := strings.Cut(a, "#")
		if !ok || id == "" || kids == "" {
			return nil, fmt.Errorf("--anchor %q: write ENTITY-URL#KID (the thumbprint `interlink anchor init` printed)", a)
		}
		pins = append(pins, trustchain.Anchor{EntityID: strings.TrimRight(id, "/"), Kids: strings.Split(kids, ",")})
	}
	return pins, nil
}

// readVerifyInput reads FILE, "-" (stdin) or, through get, a URL.
func readVerifyInput(ctx context.Context, get func(ctx context.Context, url string) ([]byte, error), src string, stdin io.Reader) ([]byte, error) {
	switch {
	case src == "-":
		return io.ReadAll(io.LimitReader(stdin, activity.MaxDocumentBytes+1))
	case isURL(src):
		return get(ctx, src)
	}
	raw, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	return raw, nil
}

func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
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

// verify runs every step and records each.
func verify(ctx context.Context, raw []byte, pins []trustchain.Anchor, fetcher trustchain.Fetcher, skew time.Duration) *verifyReport {
	now := time.Now()
	rep := &verifyReport{Anchors: pins, Checked: now.UTC(), Result: "refused"}
	if rep.Anchors == nil {
		rep.Anchors = []trustchain.Anchor{}
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
	if asBundle(raw) {
		resolver, err := newVerifyResolver(pins, fetcher, skew)
		if err != nil {
			rep.add("anchors", false, "%v", err)
			rep.verifyErr = err
			return rep
		}
		verifyBundle(ctx, rep, raw, resolver, skew)
		return rep
	}
	jws, err := extractJWS(raw)
	if err != nil {
		rep.add("structure", false, "%v", err)
		rep.verifyErr = err
		return rep
	}
	in, err := signedobject.Inspect(jws)
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
	r, chainErr, err := trustchain.VerifyObject(ctx, resolver, jws, now, time.Time{}, signedobject.Options{Skew: skew})
	if err != nil {
		step := "signature"
		switch {
		case errors.Is(err, trustchain.ErrRevoked):
			step = "revocation"
		case errors.Is(err, signedobject.ErrUntrustedKey):
			// the signer's key: its chain's reasons (an expired statement)
			// are not the object's own
		case errors.Is(err, signedobject.ErrExpired), errors.Is(err, signedobject.ErrNotYetValid):
			step = "expiry"
		case errors.Is(err, signedobject.ErrForgedOrigin):
			step = "origin"
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
		rep.Result, rep.chainErr = "unverified", chainErr
		return rep
	}
	for _, s := range r.Verification.Signers {
		rep.add("chain", true, "%s: %s (%s, %s) via %s", s.EntityID, s.Name, s.Country, s.OrgKind, strings.Join(s.Path, " → "))
	}
	rep.Result = "verified"
	return rep
}

// newVerifyResolver resolves chains up to pins.
func newVerifyResolver(pins []trustchain.Anchor, fetcher trustchain.Fetcher, skew time.Duration) (*trustchain.Resolver, error) {
	return trustchain.New(trustchain.Config{Anchors: pins, Fetcher: fetcher, Skew: skew})
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
	case "fetch-failed":
		fmt.Fprintln(w, "result      NOT JUDGED (a document could not be fetched)")
	default:
		fmt.Fprintln(w, "result      REFUSED")
	}
}
