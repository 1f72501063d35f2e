package protocol

// PublicCodeInfo is the publiccode.yml block an interlinker keeps when it was
// imported from (or describes software that has) a publiccode.yml file. The
// SPDX licence lives on the Interlinker itself (SPDXLicence), apart from the
// INTERLINK licence category.
type PublicCodeInfo struct {
	Version string `json:"publiccode_yml_version"` // publiccodeYmlVersion as written ("0.4", "0.5", "0.4.0")
	URL     string `json:"url"`                    // the source repository
}
