// Validates RDF data against SHACL shapes with rdf-validate-shacl.
//
//   node validate.mjs SHAPES.ttl DATA.ttl [DATA2.ttl ...]
//
// Prints one JSON object: {"conforms": bool, "results": [...]}, each result
// with its focus node, path, value, severity, constraint component, source
// shape and message, and "valueDescribed": whether the data has any triple
// about the value (a code-list concept named by IRI but not described is
// not). Exits 0 after printing, whatever the report says; 2 on usage or
// parse errors. The Go tests judge the report.
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const [shapesFile, ...dataFiles] = process.argv.slice(2)
if (!shapesFile || dataFiles.length === 0) {
  console.error('usage: node validate.mjs SHAPES.ttl DATA.ttl [DATA.ttl ...]')
  process.exit(2)
}

const term = (t) => (t ? (t.termType === 'Literal' ? { literal: t.value, language: t.language, datatype: t.datatype?.value } : t.value) : null)

try {
  const shapes = await rdf.dataset().import(rdf.fromFile(shapesFile))
  const data = rdf.dataset()
  for (const f of dataFiles) {
    await data.import(rdf.fromFile(f))
  }
  const validator = new SHACLValidator(shapes, { factory: rdf })
  const report = await validator.validate(data)
  const results = report.results.map((r) => ({
    focusNode: term(r.focusNode),
    path: term(r.path),
    value: term(r.value),
    valueDescribed: !!(r.value && r.value.termType !== 'Literal' && data.match(r.value, null, null).size > 0),
    severity: term(r.severity),
    constraint: term(r.sourceConstraintComponent),
    shape: term(r.sourceShape),
    message: (r.message || []).map((m) => m.value),
  }))
  console.log(JSON.stringify({ conforms: report.conforms, triples: data.size, results }, null, 1))
} catch (err) {
  console.error(`shacl: ${err && err.stack ? err.stack : err}`)
  process.exit(2)
}
