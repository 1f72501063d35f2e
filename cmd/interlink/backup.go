package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// A backup is a bbolt file: its first page is a meta page (flags 0x04 at
// offset 8) whose magic 0xED0CDAED sits at offset 16, in the byte order of
// the machine that wrote it.
const (
	boltMagic        = 0xED0CDAED
	boltMetaFlag     = 0x04
	boltHeaderLength = 20
)

// checkBoltHeader reports whether head (the first bytes of a file) starts
// like a bbolt database.
func checkBoltHeader(head []byte) error {
	if len(head) < boltHeaderLength {
		return fmt.Errorf("too short to be a node database (%d bytes)", len(head))
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		if order.Uint32(head[16:20]) == boltMagic && order.Uint16(head[8:10])&boltMetaFlag != 0 {
			return nil
		}
	}
	return errors.New("not a node database (no bbolt header)")
}

func newBackupCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Save a consistent snapshot of the node's database into FILE (admin)",
		Long: `Save a consistent snapshot of the running node's database into FILE. The snapshot is
written to FILE.tmp, synced, and renamed to FILE only when complete. FILE holds the
whole database: the catalogue, the federation state, the node's identity and the API
token hashes (not the node's private keys, which stay in DATA/keys: back that directory
up on its own). Keep FILE private: it is created with mode 0600.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			resp, err := c.open(cmd.Context(), request{method: http.MethodGet, path: "/backup", accept: mediaOctetStream})
			if err != nil {
				return fmt.Errorf("back up the node into %s: %w", file, err)
			}
			defer resp.Body.Close()
			stderr := cmd.ErrOrStderr()
			p := newProgress(stderr, isTerminal(stderr), resp.ContentLength, unitBytes, "backed up")
			var n int64
			err = writeFileAtomic(file, 0o600, func(w io.Writer) error {
				head := &headWriter{max: boltHeaderLength}
				var err error
				n, err = io.Copy(io.MultiWriter(&progressWriter{w: w, counter: counter{p}}, head), resp.Body)
				if err != nil {
					return fmt.Errorf("receive the backup: %w", c.transportError(cmd.Context(), err))
				}
				if resp.ContentLength >= 0 && n != resp.ContentLength {
					return fmt.Errorf("the node sent %d of %d bytes", n, resp.ContentLength)
				}
				if err := checkBoltHeader(head.buf); err != nil {
					return fmt.Errorf("the node's answer is %w", err)
				}
				return nil
			})
			p.Finish()
			if err != nil {
				return fmt.Errorf("back up the node into %s: %w", file, err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "backed up the node at %s into %s (%s)\n", c.s.server, file, formatBytes(n))
			return err
		},
	}
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	max int
	buf []byte
}

func (h *headWriter) Write(b []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

func newRestoreCmd(g *globalFlags) *cobra.Command {
	var yes, allowOther bool
	cmd := &cobra.Command{
		Use:   "restore FILE [--yes]",
		Short: "Replace the node's database with a backup (admin)",
		Long: `Replace the running node's whole database with FILE, a file made by "interlink backup".
The node checks the file before it replaces its database, then rebuilds its search
index. Every change made since the backup is lost, and the API tokens become the
backup's; the local credential this CLI uses (DATA/local-credential) keeps working.
The node refuses a backup of another node (another public URL or federation key) unless
--allow-other-node is given. On a terminal you are asked to confirm; elsewhere
(scripts) pass --yes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			interactive := isTerminal(cmd.InOrStdin())
			if !yes && !interactive {
				return usageErrorf("restore replaces the node's whole database: pass --yes to confirm (the input is not a terminal)")
			}
			f, size, err := openBackup(file)
			if err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			defer f.Close()
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			if !yes {
				ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), fmt.Sprintf(
					"Replace the whole database of the node at %s with %s (%s)? Every change since that backup is lost.",
					c.s.server, file, formatBytes(size)))
				if err != nil {
					return fmt.Errorf("restore: %w", err)
				}
				if !ok {
					return errors.New("restore cancelled: nothing was changed")
				}
			}
			stderr := cmd.ErrOrStderr()
			p := newProgress(stderr, isTerminal(stderr), size, unitBytes, "uploaded")
			body := &progressReader{r: f, counter: counter{p}}
			var query url.Values
			if allowOther {
				query = url.Values{"allow_other_node": {"true"}}
			}
			resp, err := c.open(cmd.Context(), request{method: http.MethodPost, path: "/restore", query: query, body: body,
				contentType: mediaOctetStream, contentLength: size, expectContinue: true})
			p.Finish()
			if err != nil {
				return fmt.Errorf("restore %s: %w", file, err)
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			_ = resp.Body.Close()
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "restored the node at %s from %s (%s); its search index was rebuilt\n",
				c.s.server, file, formatBytes(size))
			return err
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&allowOther, "allow-other-node", false, "restore a backup taken from another node (its catalogue and API tokens replace this node's)")
	return cmd
}

// openBackup opens a backup file and checks that it looks like one.
func openBackup(file string) (*os.File, int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("stat %s: %w", file, err)
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", file)
	}
	head := make([]byte, boltHeaderLength)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		_ = f.Close()
		return nil, 0, fmt.Errorf("read %s: %w", file, err)
	}
	if err := checkBoltHeader(head[:n]); err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("%s is %w: pass a file made by interlink backup", file, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("rewind %s: %w", file, err)
	}
	return f, st.Size(), nil
}

// confirm asks question on w and reads the answer from r: yes or y agrees.
func confirm(r io.Reader, w io.Writer, question string) (bool, error) {
	fmt.Fprintf(w, "%s\nType yes to continue: ", question)
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "yes" || answer == "y", nil
}
