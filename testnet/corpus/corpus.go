// Package corpus generates catalogue objects for benchmarks: a synthetic
// catalogue whose every object is a deterministic function of its index and
// a seed (languages, vocabulary and facet values skewed like the INTERLINK
// catalogue: most objects in all four pilot languages, knowledge more often
// than software, a few problem profiles addressed far more than others).
// The search index benchmarks and the page benchmarks read the same corpus.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// Vocabulary per language for synthesised catalogue objects, in rough
// frequency order (earlier words are drawn more often).
var vocabulary = map[string][]string{
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

// Languages are the corpus's languages (the pilot languages).
var Languages = []string{"en", "es", "it", "lv"}

// Vocabulary is lang's words, the most frequent first.
func Vocabulary(lang string) []string { return vocabulary[lang] }

// Synthetic is a catalogue of N objects published by 20 origins.
type Synthetic struct {
	N       int
	seed    uint64
	origins []string
}

// New returns the synthetic catalogue of n objects (always the same seed:
// benchmark caches are keyed by n).
func New(n int) *Synthetic {
	s := &Synthetic{N: n, seed: 20240123}
	for i := range 20 {
		s.origins = append(s.origins, fmt.Sprintf("https://node%02d.interlink.example", i))
	}
	return s
}

// Zipf draws an index in [0, n) favouring small ones.
func Zipf(r *rand.Rand, n int) int {
	// Inverse transform of a 1/x-like density: cheap and skewed enough.
	u := r.Float64()
	i := int(float64(n) * u * u * u)
	return min(i, n-1)
}

// Pick draws one of xs, favouring the first ones.
func Pick[T any](r *rand.Rand, xs []T) T { return xs[Zipf(r, len(xs))] }

func words(r *rand.Rand, lang string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = Pick(r, vocabulary[lang])
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

// Object is object i of the catalogue, version 1, as its origin stored it.
func (s *Synthetic) Object(i int) (protocol.Object, error) {
	r := rand.New(rand.NewPCG(s.seed, uint64(i)))
	// Languages: like the seed, most objects in all four, the rest in one or two.
	var langs []string
	switch x := r.IntN(10); {
	case x < 6:
		langs = Languages
	case x < 8:
		langs = []string{"en"}
	case x < 9:
		langs = []string{"en", "es"}
	default:
		langs = []string{Languages[1+r.IntN(3)]}
	}
	name, desc, tags := protocol.Text{}, protocol.Text{}, protocol.TextList{}
	for _, l := range langs {
		name[l] = words(r, l, 2+r.IntN(4))
		desc[l] = words(r, l, 20+r.IntN(40))
		if r.IntN(3) > 0 {
			tags[l] = strings.Fields(words(r, l, 2+r.IntN(4)))
		}
	}
	origin := Pick(r, s.origins)
	id := fmt.Sprintf("obj%06d", i)
	if r.IntN(5) == 0 {
		svc := &protocol.PublicService{
			Type: protocol.KindPublicService, Identifier: id, Title: name, Description: desc, Keywords: tags,
			CompetentAuthority: origin + "/objects/org",
			Language:           langs,
			Spatial:            []string{weighted(r, []string{"IT", "ES", "LV", "DE", "FR", "PT"}, []int{35, 30, 20, 6, 5, 4})},
		}
		return object(origin, id, svc)
	}
	var scopes []string
	for _, sc := range []string{"eu", "national", "regional", "local"} {
		if r.IntN(2) == 0 {
			scopes = append(scopes, sc)
		}
	}
	var profiles []string
	for range 1 + r.IntN(4) {
		p := fmt.Sprintf("PROBLEM_%02d", Zipf(r, 45))
		if !strings.Contains(strings.Join(profiles, ","), p) {
			profiles = append(profiles, p)
		}
	}
	il := &protocol.Interlinker{
		Type:                 protocol.KindInterlinker,
		Key:                  id,
		Nature:               protocol.Nature(weighted(r, []string{"knowledge", "externalsoftware", "externalknowledge", "software"}, []int{59, 19, 15, 7})),
		Name:                 name,
		Description:          desc,
		Tags:                 tags,
		Languages:            langs,
		ProblemProfiles:      profiles,
		LicenceCategory:      weighted(r, []string{"public_domain", "permissive", "copyleft", "non_commercial", "propietary"}, []int{40, 30, 15, 10, 5}),
		AdministrativeScopes: scopes,
	}
	return object(origin, id, il)
}

// object wraps ent as the stored version 1 of id on origin.
func object(origin, id string, ent protocol.Entity) (protocol.Object, error) {
	body, err := protocol.EncodeEntity(ent)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("corpus: encode %s: %w", id, err)
	}
	now := time.Date(2024, 1, 23, 10, 0, 0, 0, time.UTC)
	return protocol.Object{
		Meta: protocol.Meta{
			IRI: origin + "/objects/" + id, ID: id, Type: ent.Kind(), Origin: origin,
			Key: ent.NaturalKey(), Created: now, Updated: now,
		},
		Body: body,
	}, nil
}
