package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// Vocabulary per language for synthesised catalogue objects, in rough
// frequency order (earlier words are drawn more often).
var synthVocab = map[string][]string{
	"en": strings.Fields(`service public digital citizen administration platform data guide template canvas
		model business process participation community co-production tool design management open
		stakeholder engagement survey questionnaire feedback evaluation plan strategy policy local
		municipality network user experience interoperability authentication identity security cloud
		software knowledge training workshop collaboration innovation social impact sustainability
		green energy mobility transport health education culture tourism environment budget
		participatory decision voting proposal idea challenge hackathon co-creation map mapping
		analysis assessment report dashboard indicator monitoring quality accessibility inclusion
		volunteer association neighbourhood library school family youth elderly housing employment
		procurement contract licence reuse catalogue registry standard regulation privacy protection
		consent archive document form application request permit payment invoice tax benefit
		appointment booking chatbot assistant notification portal website mobile app api integration
		gamification motivation reward storytelling communication campaign newsletter forum
		discussion moderation translation multilingual onboarding tutorial handbook checklist
		canvas blueprint journey persona prototype pilot testing validation scaling replication`),
	"es": strings.Fields(`servicio público digital ciudadano administración plataforma datos guía plantilla
		lienzo modelo negocio proceso participación comunidad coproducción herramienta diseño gestión
		abierto actores compromiso encuesta cuestionario opinión evaluación plan estrategia política
		local municipio red usuario experiencia interoperabilidad autenticación identidad seguridad
		nube software conocimiento formación taller colaboración innovación social impacto
		sostenibilidad verde energía movilidad transporte salud educación cultura turismo medio
		ambiente presupuesto participativo decisión votación propuesta idea reto mapa análisis
		informe indicador seguimiento calidad accesibilidad inclusión voluntariado asociación barrio
		biblioteca escuela familia juventud mayores vivienda empleo contratación licencia
		reutilización catálogo registro norma privacidad protección consentimiento archivo
		documento formulario solicitud permiso pago factura impuesto ayuda cita reserva asistente
		notificación portal web móvil aplicación integración gamificación motivación comunicación
		campaña foro debate traducción tutorial manual prototipo piloto validación servicios
		ciudadanos ciudadanía herramientas plataformas procesos`),
	"it": strings.Fields(`servizio pubblico digitale cittadino amministrazione piattaforma dati guida modello
		canvas business processo partecipazione comunità coprogettazione strumento progettazione
		gestione aperto portatori coinvolgimento sondaggio questionario valutazione piano strategia
		politica locale comune rete utente esperienza interoperabilità autenticazione identità
		sicurezza cloud conoscenza formazione laboratorio collaborazione innovazione sociale impatto
		sostenibilità verde energia mobilità trasporto salute istruzione cultura turismo ambiente
		bilancio partecipativo decisione votazione proposta idea sfida mappa analisi rapporto
		indicatore monitoraggio qualità accessibilità inclusione volontariato associazione quartiere
		biblioteca scuola famiglia giovani anziani casa lavoro appalto licenza riuso catalogo
		registro norma privacy protezione consenso archivio documento modulo domanda permesso
		pagamento fattura tassa contributo appuntamento prenotazione assistente notifica portale
		sito app integrazione gamification motivazione comunicazione campagna forum discussione
		traduzione manuale prototipo pilota validazione servizi cittadini strumenti piattaforme
		processi linee guida`),
	"lv": strings.Fields(`pakalpojums publiskais digitālais iedzīvotājs pārvalde platforma dati ceļvedis
		veidne modelis biznesa process līdzdalība kopiena koprade rīks dizains vadība atvērts
		ieinteresētās puses iesaiste aptauja anketa atsauksmes novērtējums plāns stratēģija politika
		vietējais pašvaldība tīkls lietotājs pieredze sadarbspēja autentifikācija identitāte drošība
		mākonis programmatūra zināšanas apmācība darbnīca sadarbība inovācija sociālā ietekme
		ilgtspēja zaļā enerģija mobilitāte transports veselība izglītība kultūra tūrisms vide
		budžets līdzdalības lēmums balsošana priekšlikums ideja izaicinājums karte analīze ziņojums
		rādītājs uzraudzība kvalitāte pieejamība iekļaušana brīvprātīgie biedrība apkaime
		bibliotēka skola ģimene jaunieši seniori mājoklis nodarbinātība iepirkums licence
		atkalizmantošana katalogs reģistrs standarts privātums aizsardzība piekrišana arhīvs
		dokuments veidlapa pieteikums atļauja maksājums rēķins nodoklis pabalsts pieraksts
		rezervācija asistents paziņojums portāls vietne lietotne integrācija motivācija komunikācija
		kampaņa forums diskusija tulkojums rokasgrāmata prototips pilotprojekts validācija
		pakalpojumu modeļa plānošanas rīks`),
}

var synthLangs = []string{"en", "es", "it", "lv"}

// synth generates catalogue objects deterministically from a seed.
type synth struct {
	n       int
	seed    uint64
	origins []string
}

func newSynth(n int) *synth {
	s := &synth{n: n, seed: 20240123}
	for i := range 20 {
		s.origins = append(s.origins, fmt.Sprintf("https://node%02d.interlink.example", i))
	}
	return s
}

// zipf draws an index in [0, n) favouring small ones.
func zipf(r *rand.Rand, n int) int {
	// Inverse transform of a 1/x-like density: cheap and skewed enough.
	u := r.Float64()
	i := int(float64(n) * u * u * u)
	return min(i, n-1)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[zipf(r, len(xs))] }

func words(r *rand.Rand, lang string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = pick(r, synthVocab[lang])
	}
	return strings.Join(ws, " ")
}

func weighted(r *rand.Rand, choices []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return choices[i]
		}
		x -= w
	}
	return choices[len(choices)-1]
}

// object i of the synthetic catalogue.
func (s *synth) object(t testing.TB, i int) protocol.Object {
	r := rand.New(rand.NewPCG(s.seed, uint64(i)))
	// Languages: like the seed, most objects in all four, the rest in one or two.
	var langs []string
	switch x := r.IntN(10); {
	case x < 6:
		langs = synthLangs
	case x < 8:
		langs = []string{"en"}
	case x < 9:
		langs = []string{"en", "es"}
	default:
		langs = []string{synthLangs[1+r.IntN(3)]}
	}
	name, desc, tags := protocol.Text{}, protocol.Text{}, protocol.TextList{}
	for _, l := range langs {
		name[l] = words(r, l, 2+r.IntN(4))
		desc[l] = words(r, l, 20+r.IntN(40))
		if r.IntN(3) > 0 {
			tags[l] = strings.Fields(words(r, l, 2+r.IntN(4)))
		}
	}
	origin := pick(r, s.origins)
	id := fmt.Sprintf("obj%06d", i)
	if r.IntN(5) == 0 {
		svc := &protocol.PublicService{
			Type: protocol.KindPublicService, Identifier: id, Title: name, Description: desc, Keywords: tags,
			CompetentAuthority: origin + "/objects/org",
			Language:           langs,
			Spatial:            []string{weighted(r, []string{"IT", "ES", "LV", "DE", "FR", "PT"}, []int{35, 30, 20, 6, 5, 4})},
		}
		return makeObject(t, origin, id, svc)
	}
	var scopes []string
	for _, sc := range []string{"eu", "national", "regional", "local"} {
		if r.IntN(2) == 0 {
			scopes = append(scopes, sc)
		}
	}
	var profiles []string
	for range 1 + r.IntN(4) {
		p := fmt.Sprintf("PROBLEM_%02d", zipf(r, 45))
		if !strings.Contains(strings.Join(profiles, ","), p) {
			profiles = append(profiles, p)
		}
	}
	x := il{
		key:      id,
		nature:   protocol.Nature(weighted(r, []string{"knowledge", "externalsoftware", "externalknowledge", "software"}, []int{59, 19, 15, 7})),
		name:     name,
		desc:     desc,
		tags:     tags,
		langs:    langs,
		profiles: profiles,
		licence:  weighted(r, []string{"public_domain", "permissive", "copyleft", "non_commercial", "propietary"}, []int{40, 30, 15, 10, 5}),
		scopes:   scopes,
	}
	return makeObject(t, origin, id, x.entity())
}

// synthSource serves the synthetic catalogue for a full rebuild.
type synthSource struct {
	t testing.TB
	s *synth
}

func (s synthSource) Seq() uint64              { return uint64(s.s.n) }
func (s synthSource) Epoch() string            { return "synthetic" }
func (s synthSource) Changed() <-chan struct{} { return nil }
func (s synthSource) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	return nil, nil
}
func (s synthSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	return protocol.Object{}, errNotFound
}
func (s synthSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	for i := range s.s.n {
		if err := fn(s.s.object(s.t, i)); err != nil {
			return err
		}
	}
	return nil
}

// buildSynth builds the synthetic index of n objects in dir and returns how long it took.
func buildSynth(t testing.TB, dir string, n, batchSize int) time.Duration {
	ix, err := Open(dir, Options{IsNotFound: isNotFound, BatchSize: batchSize, Shards: benchShards(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	src := synthSource{t: t, s: newSynth(n)}
	go func() { done <- ix.Run(ctx, src) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer wcancel()
	if err := ix.WaitFor(wctx, src.Seq()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := ix.Count(); err != nil || c != uint64(n) {
		t.Fatalf("synthetic index holds %d objects (%v), want %d", c, err, n)
	}
	return took
}

func TestSynthShape(t *testing.T) {
	s := newSynth(200)
	kinds := map[protocol.Kind]int{}
	for i := range s.n {
		o := s.object(t, i)
		if _, err := protocol.DecodeEntity(o.Body); err != nil {
			t.Fatalf("synthetic object %d is invalid: %v", i, err)
		}
		kinds[o.Type]++
	}
	if kinds[protocol.KindInterlinker] < 120 || kinds[protocol.KindPublicService] < 20 {
		t.Errorf("kinds %v", kinds)
	}
}
