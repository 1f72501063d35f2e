package corpus

// euWords are the content words of the other EU languages of the corpus's
// member states, the most frequent first: the public-service vocabulary of
// pilotWords (its commonest concepts: service, citizen, application,
// permit, participation, data ...) in each language, for the services and
// interlinkers that origins outside the pilots publish in their own
// language. The catalogue has no text in these languages to rank by, so
// the order follows the English concepts' rank.
var euWords = map[string]string{
	"de": `
		dienst dienstleistung bürger bürgerinnen verwaltung öffentliche digitale plattform daten leitfaden vorlage
		projekt prozess beteiligung gemeinschaft koproduktion werkzeug gestaltung management offen akteure
		einbindung umfrage fragebogen rückmeldung bewertung plan strategie politik kommune gemeinde netzwerk nutzer
		erfahrung interoperabilität authentifizierung identität sicherheit software wissen schulung workshop
		zusammenarbeit innovation sozial wirkung nachhaltigkeit energie mobilität verkehr gesundheit bildung kultur
		tourismus umwelt haushalt bürgerhaushalt entscheidung abstimmung vorschlag idee herausforderung karte analyse
		bericht indikator überwachung qualität barrierefreiheit inklusion ehrenamt verein nachbarschaft bibliothek
		schule familie jugend senioren wohnen beschäftigung vergabe vertrag lizenz nachnutzung katalog register
		standard datenschutz einwilligung archiv dokument formular antrag genehmigung zahlung rechnung steuer
		leistung termin buchung assistent benachrichtigung portal webseite anwendung schnittstelle kommunikation
		kampagne forum diskussion übersetzung anleitung handbuch prototyp pilot validierung anmeldung ausweis
		bescheinigung kindergeld wohngeld führerschein meldebescheinigung baugenehmigung gewerbeanmeldung`,
	"fr": `
		service services citoyen citoyens administration publique numérique plateforme données guide modèle
		projet processus participation communauté coproduction outil conception gestion ouvert acteurs engagement
		enquête questionnaire retour évaluation plan stratégie politique commune municipalité réseau usager
		expérience interopérabilité authentification identité sécurité logiciel connaissance formation atelier
		collaboration innovation social impact durabilité énergie mobilité transport santé éducation culture
		tourisme environnement budget participatif décision vote proposition idée défi carte analyse rapport
		indicateur suivi qualité accessibilité inclusion bénévolat association quartier bibliothèque école famille
		jeunesse seniors logement emploi marché contrat licence réutilisation catalogue registre norme vie privée
		protection consentement archive document formulaire demande permis paiement facture impôt allocation
		rendez-vous réservation assistant notification portail site application interface communication campagne
		forum débat traduction tutoriel manuel prototype pilote validation déclaration attestation certificat
		inscription carte d'identité passeport état civil urbanisme`,
	"pt": `
		serviço serviços cidadão cidadãos administração pública digital plataforma dados guia modelo projeto
		processo participação comunidade coprodução ferramenta conceção gestão aberto atores envolvimento
		inquérito questionário avaliação plano estratégia política município câmara rede utilizador experiência
		interoperabilidade autenticação identidade segurança software conhecimento formação oficina colaboração
		inovação social impacto sustentabilidade energia mobilidade transporte saúde educação cultura turismo
		ambiente orçamento participativo decisão votação proposta ideia desafio mapa análise relatório indicador
		monitorização qualidade acessibilidade inclusão voluntariado associação bairro biblioteca escola família
		juventude idosos habitação emprego contratação contrato licença reutilização catálogo registo norma
		privacidade proteção consentimento arquivo documento formulário pedido licenciamento pagamento fatura
		imposto apoio marcação reserva assistente notificação portal sítio aplicação interface comunicação
		campanha fórum debate tradução tutorial manual protótipo piloto validação certidão atestado cartão`,
	"nl": `
		dienst diensten burger burgers overheid openbare digitale platform gegevens handleiding sjabloon model
		project proces participatie gemeenschap coproductie instrument ontwerp beheer open actoren betrokkenheid
		enquête vragenlijst feedback evaluatie plan strategie beleid gemeente netwerk gebruiker ervaring
		interoperabiliteit authenticatie identiteit beveiliging software kennis opleiding werkplaats samenwerking
		innovatie sociaal impact duurzaamheid energie mobiliteit vervoer gezondheid onderwijs cultuur toerisme
		milieu begroting burgerbegroting besluit stemming voorstel idee uitdaging kaart analyse rapport indicator
		monitoring kwaliteit toegankelijkheid inclusie vrijwilligers vereniging wijk bibliotheek school gezin
		jongeren ouderen wonen werkgelegenheid aanbesteding contract licentie hergebruik catalogus register norm
		privacy bescherming toestemming archief document formulier aanvraag vergunning betaling factuur belasting
		uitkering afspraak reservering assistent melding portaal website toepassing koppeling communicatie campagne
		forum discussie vertaling uitleg handboek prototype pilot validatie aangifte uittreksel paspoort rijbewijs`,
	"pl": `
		usługa usługi obywatel obywatele administracja publiczna cyfrowa platforma dane przewodnik szablon model
		projekt proces partycypacja społeczność współtworzenie narzędzie projektowanie zarządzanie otwarte
		interesariusze zaangażowanie ankieta kwestionariusz opinia ocena plan strategia polityka gmina samorząd
		sieć użytkownik doświadczenie interoperacyjność uwierzytelnianie tożsamość bezpieczeństwo oprogramowanie
		wiedza szkolenie warsztat współpraca innowacja społeczny wpływ zrównoważony energia mobilność transport
		zdrowie edukacja kultura turystyka środowisko budżet obywatelski decyzja głosowanie propozycja pomysł
		wyzwanie mapa analiza raport wskaźnik monitorowanie jakość dostępność włączenie wolontariat stowarzyszenie
		dzielnica biblioteka szkoła rodzina młodzież seniorzy mieszkanie zatrudnienie zamówienia umowa licencja
		ponowne wykorzystanie katalog rejestr norma prywatność ochrona zgoda archiwum dokument formularz wniosek
		zezwolenie płatność faktura podatek świadczenie wizyta rezerwacja asystent powiadomienie portal strona
		aplikacja interfejs komunikacja kampania forum dyskusja tłumaczenie poradnik podręcznik prototyp pilotaż
		walidacja zaświadczenie dowód osobisty paszport meldunek`,
}

// functionWords are each language's commonest function words: real
// descriptions are about a third of them (the English, Spanish and Italian
// analysers drop them; the folding analyser of the others keeps them).
var functionWords = map[string]string{
	"en": "the to and of a for in on this is with how that be are as or can from by",
	"es": "de la el los las y en un una para por con que del al se su es este como",
	"it": "di e il la le per in un una con che del della dei da su è come questo il",
	"lv": "un ir ar kas uz vai par lai no pie tā šis var kā arī ka to",
	"de": "der die das und zu in den von mit für ist auf im des eine ein nicht sich",
	"fr": "de la le les et des en un une pour du à par sur dans que est au avec",
	"pt": "de a o os as e do da em um uma para por com que no na dos das se",
	"nl": "de het een en van in op te voor met is dat die aan door bij om",
	"pl": "w i na z do się jest o że dla od po przez oraz jak to nie",
}
