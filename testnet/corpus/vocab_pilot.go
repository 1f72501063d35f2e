package corpus

// pilotWords are the content words of the four pilot languages, the most
// frequent first: the words of the INTERLINK catalogue's interlinkers,
// problem profiles and co-production schemas (names, descriptions, tags,
// phases) that occur at least twice, ranked by their count there (function
// words dropped), then the hand-made public-service vocabulary of earlier
// versions of this generator for the long tail. Regenerating this list from
// the catalogue changes the corpus: bump GeneratorVersion.
var pilotWords = map[string]string{
	"en": `
		service co-production stakeholders problem public project should design process data guidelines team
		services different template understand user information need collaborative ideas plan management users
		description support tools create define solution enablers new co-produced software knowledge citizens
		interlink participants provide implementation engagement evaluation open digital templates activities
		requirements network agreement ensure follow environment communication through specification types focus
		organize development document needs group collect addresses actors model cloud co-design incentives
		hackathon include useful business quality according specific communicate resource source text resources
		functionalities motivations features descriptions monitor research examples participation methods
		co-delivery based members during refine refinement engage discussion item available reflect potential among
		accessibility web content shared product groups stakeholder map discuss collected strategy google set
		provides language brainstorming current skills identify involved phase security level guidance api make
		people collection collaboration solutions aspects take scenarios interface benefit descriptive initial
		clearly benefits agid technical most authentication effective tips roles appropriate addressing needed
		existing related documents gdpr decision allows manage building sustainability surveys material prepare
		processes important possible together explains type definition specifications proposed identification guide
		way analysis perform help initiative satisfaction collaboratively mapping example progress rationale
		participate select exploitation test stop questionnaire working survey tool external online list activity
		etc coproduction given expected augmenter following develop work agreements monitoring value phases
		objective system whether rules delivered refers structure canvas rewards usability organization structured
		issues within checklist share relevant tasks further might workshops agree challenge understanding proceed
		maintenance contributions far italian particular required form goals preparation planning key gamification
		practices out case end interviews involvement role part interlinkers well like creation good co-evaluation
		after analyse before concepts implement third reuse personal files marketing task publish improve tutorial
		consent compliant personas preparing step conduct best experience over report sharing workplan models add
		contact changes co-creation defining necessary party formal partnership reach inform developing crucial
		evaluate workshop mechanisms regulations provided designed crowdsourcing delivery between co-delivered
		review launch awareness re-design context secure interoperability standard blocks applications criteria
		principles email creating projects apis providers access testing associated influence desired proposal
		developed discussions decisions making idea some voting stages representation compliance balanced play
		aware addressed facilitate contributors address going mockups responsabilities administration describes
		interaction default measures success learn run authorization protocols allow find application time engaged
		norms kpis expectations media acceptance made solve created interlinker start main actual steps reports
		cover terms plans impact discussing purpose assumptions realizing ecosystem ideation stage clarify adoption
		could co-refinement servicepedia citizen platform community feedback policy local municipality identity
		training innovation social green energy mobility transport health education culture tourism budget
		participatory assessment dashboard indicator inclusion volunteer association neighbourhood library school
		family youth elderly housing employment procurement contract licence catalogue registry regulation privacy
		protection archive request permit payment invoice tax appointment booking chatbot assistant notification
		portal website mobile app integration motivation reward storytelling campaign newsletter forum moderation
		translation multilingual onboarding handbook blueprint journey persona prototype pilot validation scaling
		replication`,
	"es": `
		servicio coproducción partes interesadas servicios cómo proyecto diseño proceso equipo problema pueden
		datos usuarios diferentes ideas directrices plan solución crear colaboración ciudadanos información público
		públicos plantilla evaluación definir entender qué puede coproducido necesidad forma participación
		garantizar desarrollo descripción usuario requisitos actores deben debe red características comunicación
		participar hackathon siga implementación participantes aborda tipos descripciones miembros herramientas
		fase modelo objetivo web organizar preparar calidad comprender nuevas nube lista interlink importante
		realizar codiseño comunicar acuerdo software recursos uso motivaciones comprobación utilizar encuestas
		actividades ejemplo grupo discusión trabajo proporcionar incentivos recurso digital objetivos aspectos
		negocio perfeccionamiento través sostenibilidad punto hasta necesidades personas recoger durante compromiso
		debate útiles mantenimiento reflexione código está google digitales grupos entorno colaborativo problemas
		cuáles propuesta parte refiere lenguaje claramente cuál apoyo nivel api especificación abierto gestión
		marcha colaborativa procesos mejoras necesitan posibles fases debatir mediante todas especificaciones
		involucrar contribuciones investigación escenarios también interfaz resultados mejora acuerdos necesario
		identificar proceder explotación seguir deténgase utilice cuestionario identificación proporciona
		iniciativa nuevo interesados valor stakeholders conjunto compartir recopilar mapa soluciones implantación
		según maquetas donde ellos documentos documento permite with accesibilidad gestionar listas análisis
		publicar etc cada están satisfacción prácticas organización paso participan decisiones informe hay ayudar
		apoyar desarrollar tareas cocreación decisión talleres momento sistema tener esté prestación agid
		conocimiento herramienta diseñar planificar actividad basada eficaz producto entrevistas versión posible
		implicación todos interactuar hacer reto tipo específico específicas clave abordar contenidos competencias
		actual caso antes influir cree despliegue responsabilidades contexto general otros estándar estrategia
		marketing clientes proyectos aplicación dos colaboradores finales experiencia augmenter mejorar interlinker
		beneficio papel definición plantillas coevaluación creación común recopilación mejor ideación construcción
		existentes sea supervisar servicepedia juntos disponibles existente progreso planificación responsabilidad
		analizar mecanismos codirectores rediseño describe interoperabilidad técnica orientación medidas cuando
		empresas correo quién for construir proveedores externos poner describir esquema reflexionar preguntas
		actuales expectativas evaluar aceptación final nueva interlinkers catálogo usabilidad archivos basado
		establecer pasos equipos buenas inicial compartido puedan iniciales métodos conciencia seleccionar aportar
		representación ecosistema facilitar conjuntamente conceptos traducirse formales estructurar aclaren
		desarrollarse lugar aplicar bloques entrega seguimiento cambios enlace equilibrada inclusiva prioridades
		material viabilidad conozca asegúrese primer tienen previsto será realización reutilización públicas
		pública italiano interacción línea based plataforma that sitio control encontrar fuentes tiempo
		instrucciones formulario consentimiento lienzo adecuado sugerencias hacia actitudes confianza reglas tanto
		coproductores principales visión así drive opiniones mantener editor iniciar votación eficaces resultado
		aportaciones crucial acordar continuamente éxito recogida recogidos suposiciones podrían mapear función
		guiar tras cuenta adecuados adopción otras ciudadano administración guía comunidad encuesta opinión
		política local municipio autenticación identidad seguridad formación taller innovación social impacto verde
		energía movilidad transporte salud educación cultura turismo medio ambiente presupuesto participativo idea
		indicador inclusión voluntariado asociación barrio biblioteca escuela familia juventud mayores vivienda
		empleo contratación licencia registro norma privacidad protección archivo solicitud permiso pago factura
		impuesto ayuda cita reserva asistente notificación portal móvil integración gamificación motivación campaña
		foro traducción tutorial manual prototipo piloto validación ciudadanía plataformas`,
	"it": `
		servizio attori progetto essere loro servizi dell modo problema guida progettazione processo modello nel
		co-produzione possono crea linee coinvolgimento dati utenti quali lavoro idee cittadini implementazione
		attività gruppo valutazione soluzione pubblici informazioni diversi piano definizione più utente team
		necessità risorse collaborativo sviluppo riferisce partecipanti diverse nella all erogazione sia hackathon
		attraverso coinvolti segui strumenti fase funzionalità può parti base requisiti tra sull specifiche durante
		stakeholder realizzazione altri sui collaborazione descrizione comunicazione coinvolgere rete comprendere
		definisci web soluzioni digitali sondaggi coproduzione obiettivi importante pubblico software gestione
		interlink qualità collaborativa utilizza discussione realizzare risorsa documento anche fornitori creare
		esempio parte deve obiettivo fasi dovrebbero cloud competenze cui api membri collaborative focus group
		aspetti motivazioni utilizzo nuove incentivi risultati garantire comunicare devono open chi analisi
		raccogliere uso processi co-progettazione caratteristiche descrizioni necessario responsabilità modelli
		digitale raccolta tuo efficace potenziali vengono tutte utili tutti discutere bisogni identificazione
		strategia source organizza google fornisce organizzazione supportare scenari coloro interfaccia
		partecipazione supporto viene sostenibilità checklist individuati pubblica standard persone puoi ricerca
		nell sulle business interessate capire percorso augmenter manutenzione monitoraggio report identifica
		livello specifica consente strumento esterni iniziativa valore insieme dovrebbe accordi linguaggio mappa
		prima seconda beneficiari contributi questionario conoscenza basata tua environment pratiche suggerimenti
		ambiente interviste disegno monitora avere consapevolezza congiunta pubbliche amministrazioni documenti
		accessibilità piattaforma cosa guidare progettare ogni soddisfazione nuovo riflettere tipologie hanno ruolo
		definire fornire benefici possano accordo esecuzione tipo dopo procedere esistenti erogato description
		chiarezza comunica già prepara fornisci riprogettazione agid italiano online dove autenticazione due
		organizzare file brainstorming aspettative tipi interno iniziale nuova migliorare traccia decisioni
		interesse raggiungere relative termini partecipare comune ottenere sfida meglio affrontare fra suoi
		comprendi potrebbero coinvolgi raccolti specifico descrive contiene contenuti rendere applicazione serie
		successo contribuire ruoli finali elenco personas preparazione sugli strutturare chiave schema attuali
		tramite finale test interlinker disposizione meccanismi sviluppato opinioni discussioni tenere buone
		necessarie interagire materiale necessari pianificazione ulteriori ecosistema passo idea priorità rifletti
		fattibilità analizza attuale ciò contesto quando criteri aziende gestire marketing co-design progetti
		protocolli esegui nelle utile utilizzare pianificare consenso principali canvas domande mappatura valutare
		prodotto possibili condurre previsto siano catalogo usabilità ancora nuovi consentire decisionale
		sviluppare portatori rilevanti versione definiscono generale raccolte influenzare assicurare risolvere
		metodi facilitare primo workshop formali adozione servicepedia condividi grazie qual prova andamento
		vantaggi congiuntamente realizzato terze caso ideazione implementa stato esistente organizzatori sicuro
		tecnica relativi interazione forniscono protezione misure accessibili applicazioni contenuto comunità
		creazione clienti sito controllo quelli esigenze vita verifica tempo istruzioni cittadino amministrazione
		coprogettazione aperto sondaggio politica locale esperienza interoperabilità identità sicurezza formazione
		laboratorio innovazione sociale impatto verde energia mobilità trasporto salute istruzione cultura turismo
		bilancio partecipativo decisione votazione proposta rapporto indicatore inclusione volontariato
		associazione quartiere biblioteca scuola famiglia giovani anziani casa appalto licenza riuso registro norma
		privacy archivio modulo domanda permesso pagamento fattura tassa contributo appuntamento prenotazione
		assistente notifica portale app integrazione gamification motivazione campagna forum traduzione manuale
		prototipo pilota validazione piattaforme`,
	"lv": `
		pakalpojuma pakalpojumu koprades ieinteresēto pušu tiek jūsu projekta datu lietotāju vadlīnijas viņu
		sadarbības ieinteresētās kopīgi dalībniekiem problēmu izmantojot puses varētu būt izveidojiet projektā
		apraksta ideju izmantojiet risinājuma lietotāja kopražošanas pēc dalībnieku informācijas idejas procesu
		personu nodrošinātu ļauj veidlapa procesā lietotājiem pakalpojums hakatona problēma kopražojuma kuras
		attiecas piemēram personas interlink iesaistes starp nepieciešamību mērķi būtu dizaina valsts informāciju
		procesa grupas iedzīvotāju izmantot api pakalpojumiem kuri tos prasības piedalīties lēmumu plānu šajā tās
		tiem problēmas ieinteresētajām sabiedrisko specifikācijas izstrādes resurss google veikt plāns izveidot
		darba kurā saprastu skaidri kāda vajadzības definējiet tiešsaistes atvērtā līdz aptaujas saistīta
		izmantošanu kopīgu rīkus visas aprakstu koppiegādes digitālās novērtēšanas pieejamības efektīvu
		nepieciešams publisko sniegt process apspriestu kādi nodrošiniet sekojiet programmatūras itālijas iespējams
		sniedz saskarnes komandas koda fokusgrupas modeli komanda biznesa publiskā pakalpojumi tīklu veidā viņiem
		projektēšanas grupa ietekmēt jāizstrādā atbilstoši ievērojiet pārdomājiet novērtējuma šim organizējiet
		jāsaprot atbildību pusēm aptauju pārbaudīt personām sarakstu rīks jaunu risinājumu dažādu prasmes digitālo
		kopīgas diskusiju funkcijas nepieciešama sākotnējās pārvaldības sabiedrības izprastu svarīgi dažādiem
		dizains sasniegtu ieviešana dažādi iesaistiet veiktu atkārtoti satura veidot gan dažādos projektu piedāvā
		ieviešanu gala laikā praksi komandai izveidotu lietošanas novērtējumu kvalitāti kuriem sastāv kopēji citiem
		dažādus komandu kopīga pieņemšanas stimuli veida posmā definēt koncepcijas turpinātu izstrādi pirms
		publicējiet resursi atbalstu papildu kur gadījumā kontrolsarakstam ieviešanas mākoņdatošanas mārketinga
		kurš rīki kad pētniecības aspektiem uzdevumu aprakstus diskusijas atbalstīt veidu motivācija iegūtu
		pamatojoties informēt valodu svarīga saprast ieguldījumu apkopot vēl vidi noderīgi nepieciešami noteikšana
		uzturēšanu saziņas atbalsta solis servicepedia nav projektēšana prioritātes prasību uzziniet izpratni
		līgumus identificējiet saziņu ieguvumiem sniedziet līgumu analizējiet sistēmas mehānismu mērķis pārvaldē
		aģentūras itāļu valodā tehniskās sadarbspējas modelis palīdzību zināšanu specifikācija stratēģiju kopā
		vadīt jautājumiem standarta risinājumus īpaši noteikt vairāk iesaistīto izmanto digitālā veidni tikt ietver
		plāna palīdz intervijas rīku esošo jaunas darbību dalīties uzlabojumiem veidošanas nodrošināt iesaistīšanās
		posmos aspektus darbības notiek partnerības būs locekļiem paredzēts izstrāde ļoti datus risina pieņēmumus
		metodes viņi uzvedību uzlabotu lomas prasībās precizē jāsagatavo atkarībā pašreizējā utt mērķiem līdzdalību
		kvalitātes definēšana turpināt rezultātus uzņēmējdarbības pārraugiet uzlabošanas kopējā kontrolsarakstus
		vienojieties uzlabojiet motivāciju paziņojiet veidnes pārliecinieties atslēgas tīklā parasti uzņēmumi
		iesaiste rūpīgi iedzīvotājus jaunām sākotnējo fāze dati piedāvātajam sagatavojiet kopprojektēšanas
		funkcijām diskusija iegūt izstrādei raksturo tām dokumentus mijiedarbības līmeni risinājums pilsoņiem
		saistībā kopumu resursu vēlas platforma iespējas tīmekļa ārējiem vajadzībām dokumentu laika nodrošina
		aktivitāšu mērķus konkrētā komunikācijas priekšrocības izstrādātu jums izvēlēties nepieciešamo palīdzēt
		jāizmanto kuru funkciju rezultātu ieteikumi drive iespēja lēmumus uzlabojumu izmaiņas līdzi versiju
		attiecībā pakalpojumus ieguldījums vien vienošanās līdzdalība vajadzīgi noteiktu kādu publiskais digitālais
		iedzīvotājs pārvalde ceļvedis veidne kopiena koprade vadība atvērts aptauja anketa atsauksmes novērtējums
		stratēģija politika vietējais pašvaldība tīkls lietotājs pieredze sadarbspēja autentifikācija identitāte
		drošība mākonis programmatūra zināšanas apmācība darbnīca sadarbība inovācija sociālā ietekme ilgtspēja
		zaļā enerģija mobilitāte transports veselība izglītība kultūra tūrisms vide budžets līdzdalības lēmums
		balsošana priekšlikums ideja izaicinājums karte analīze ziņojums rādītājs uzraudzība kvalitāte pieejamība
		iekļaušana brīvprātīgie biedrība apkaime bibliotēka skola ģimene jaunieši seniori mājoklis nodarbinātība
		iepirkums licence atkalizmantošana katalogs reģistrs standarts privātums aizsardzība piekrišana arhīvs
		dokuments pieteikums atļauja maksājums rēķins nodoklis pabalsts pieraksts rezervācija asistents paziņojums
		portāls vietne lietotne integrācija komunikācija kampaņa forums tulkojums rokasgrāmata prototips
		pilotprojekts validācija modeļa plānošanas`,
}
