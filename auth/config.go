package auth

import (
	"errors"
	"path/filepath"
)

const configFile = "config.json"

// Profile is one profile's non-secret settings. Empty fields mean "not
// set": flags, environment variables and defaults decide.
type Profile struct {
	APIURL          string `json:"api_url,omitempty"`
	AuthMode        string `json:"auth_mode,omitempty"`
	PartnerOrgID    string `json:"partner_org_id,omitempty"`
	ReadOnly        *bool  `json:"read_only,omitempty"`
	InsecureStorage bool   `json:"insecure_storage,omitempty"`
}

// Config is the settings file. It never holds a key.
type Config struct {
	Profiles map[string]Profile `json:"profiles"`
}

// Profile returns a profile's settings (zero if absent).
func (c Config) Profile(name string) Profile { return c.Profiles[name] }

// ConfigPath is the settings file in dir.
func ConfigPath(dir string) string { return filepath.Join(dir, configFile) }

// LoadConfig reads the settings file; a missing file (or a config folder
// that is not a folder) is an empty config. A file that does not parse is a
// *CorruptError naming the line and column.
func LoadConfig(dir string) (Config, error) {
	c := Config{Profiles: map[string]Profile{}}
	if _, err := decodeFile(ConfigPath(dir), &c); err != nil {
		return Config{Profiles: map[string]Profile{}}, err
	}
	if c.Profiles == nil {
		c.Profiles = map[string]Profile{}
	}
	return c, nil
}

// SaveProfile writes one profile's settings, keeping the others. A settings
// file that does not parse is moved aside, never overwritten.
func SaveProfile(dir, name string, p Profile) error {
	c, err := LoadConfig(dir)
	var ce *CorruptError
	if errors.As(err, &ce) {
		return moveAside(ce)
	}
	if err != nil {
		return err
	}
	c.Profiles[name] = p
	return writeJSON(ConfigPath(dir), c)
}
