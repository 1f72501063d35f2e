package catalogue

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
)

// ErrBadUpload: an uploaded seed or publiccode.yml cannot be read (the
// wrapped error names the file, line or field).
var ErrBadUpload = errors.New("the upload cannot be read")

// Import outcomes beside ImportItem's created, updated and unchanged.
const (
	ResultRefused = "refused" // the batch holding the entity was refused; Reason says why
)

// UploadItem is the outcome of one entity of an uploaded file.
type UploadItem struct {
	ImportItem
	// Reasons are the failures that refused the entity (each naming its
	// field), or the batch's when they name no entity of it.
	Reasons []protocol.FieldError
}

// UploadReport sums up the import of an uploaded file.
type UploadReport struct {
	Created, Updated, Unchanged, Refused int
	Items                                []UploadItem
}

// Progress is told how many of total entities an import has handled.
type Progress func(done, total int)

// ImportSeed reads an INTERLINK catalogue seed from fsys (its root holds
// interlinkers/, problemprofiles/ or schemas/) and imports its entities
// (ImportEntities). A seed that does not read is ErrBadUpload, wrapping
// interlinkfmt's error that names the file and the field.
func (s *Service) ImportSeed(ctx context.Context, fsys fs.FS, progress Progress) (UploadReport, error) {
	seed, err := interlinkfmt.ReadSeed(fsys)
	if err != nil {
		return UploadReport{}, fmt.Errorf("%w: %w", ErrBadUpload, err)
	}
	return s.ImportEntities(ctx, seed.Entities(), progress)
}

// ImportPubliccode imports a publiccode.yml document as a software
// interlinker. A document that is not well-formed YAML (a
// *publiccode.SyntaxError) or that breaks a rule (a
// *protocol.ValidationError naming the publiccode.yml key) is
// ErrBadUpload wrapping it.
func (s *Service) ImportPubliccode(ctx context.Context, doc []byte) (UploadReport, error) {
	il, err := publiccode.Import(doc)
	if err != nil {
		return UploadReport{}, fmt.Errorf("%w: %w", ErrBadUpload, err)
	}
	return s.ImportEntities(ctx, []protocol.Entity{il}, progress0)
}

func progress0(int, int) {}

// objectIndex reads the entity index of a batch failure: "objects[3].name.en".
var objectIndex = regexp.MustCompile(`^objects\[(\d+)\]\.?(.*)$`)

// ImportEntities imports entities in batches of one kind and at most
// MaxImportBatch entities (each batch one atomic Import, in the order
// given: problem profiles before the interlinkers that name them). A batch
// that breaks a rule (a key twice, a co-produced object) is refused whole
// and reported entity by entity with its reasons; the other batches go on.
// Other errors (storage, signing) stop the import and are returned with
// the report so far.
func (s *Service) ImportEntities(ctx context.Context, entities []protocol.Entity, progress Progress) (UploadReport, error) {
	if progress == nil {
		progress = progress0
	}
	var rep UploadReport
	for start := 0; start < len(entities); {
		end := start + 1
		for end < len(entities) && end-start < MaxImportBatch && entities[end].Kind() == entities[start].Kind() {
			end++
		}
		batch := entities[start:end]
		res, err := s.Import(ctx, batch)
		var ve *protocol.ValidationError
		switch {
		case errors.As(err, &ve):
			refuse(&rep, batch, ve.Errors)
		case err != nil:
			return rep, err
		default:
			for _, it := range res.Items {
				rep.Items = append(rep.Items, UploadItem{ImportItem: it})
			}
			rep.Created += res.Created
			rep.Updated += res.Updated
			rep.Unchanged += res.Unchanged
		}
		start = end
		progress(start, len(entities))
	}
	return rep, nil
}

// refuse reports every entity of a refused batch: the failures naming it
// (their field relative to the entity), or every failure when none does.
func refuse(rep *UploadReport, batch []protocol.Entity, errs []protocol.FieldError) {
	own := make([][]protocol.FieldError, len(batch))
	var general []protocol.FieldError
	for _, fe := range errs {
		if m := objectIndex.FindStringSubmatch(fe.Field); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(batch) {
				fe.Field = m[2]
				own[i] = append(own[i], fe)
				continue
			}
		}
		general = append(general, fe)
	}
	for i, e := range batch {
		reasons := own[i]
		if len(reasons) == 0 {
			reasons = general
		}
		if len(reasons) == 0 {
			reasons = []protocol.FieldError{{Rule: "batch", Message: "refused with the other objects of its batch"}}
		}
		rep.Items = append(rep.Items, UploadItem{ImportItem: ImportItem{Type: e.Kind(), Key: e.NaturalKey(), Result: ResultRefused}, Reasons: reasons})
		rep.Refused++
	}
}
