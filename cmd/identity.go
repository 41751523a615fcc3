package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/forward"
)

// identity is whom a key belongs to: the user or organization /api/me
// reports, or, for a partner key, the organizations it reaches.
type identity struct {
	Email            string         `json:"email,omitempty"`
	ID               string         `json:"id,omitempty"`
	OrganizationID   string         `json:"organization_id,omitempty"`
	OrganizationName string         `json:"organization_name,omitempty"`
	IsPartner        bool           `json:"is_partner,omitempty"`
	Organizations    []organization `json:"organizations,omitempty"`
}

// organization is one organization a partner key reaches.
type organization struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// maxOrgsShown bounds the organizations auth status prints in text.
const maxOrgsShown = 10

// String is how people read an identity, in login and auth status alike.
func (id *identity) String() string {
	if id.IsPartner {
		s := fmt.Sprintf("a partner key reaching %d organization", len(id.Organizations))
		if len(id.Organizations) != 1 {
			s += "s"
		}
		var names []string
		for i, o := range id.Organizations {
			if i == maxOrgsShown {
				names = append(names, fmt.Sprintf("… %d more", len(id.Organizations)-maxOrgsShown))
				break
			}
			names = append(names, strings.TrimSpace(o.Name+" ("+o.ID+")"))
		}
		if len(names) > 0 {
			s += ": " + strings.Join(names, ", ")
		}
		return s
	}
	who := id.Email
	if who == "" {
		who = "an organization key"
	}
	if id.OrganizationName != "" {
		who += " — " + id.OrganizationName
	}
	if id.OrganizationID != "" {
		who += " (" + id.OrganizationID + ")"
	}
	return who
}

// staticKey is a KeySource for a key being checked, not read from a store.
type staticKey string

func (k staticKey) APIKey(context.Context) (string, error) { return string(k), nil }
func (k staticKey) Reload(context.Context) (string, error) { return string(k), nil }

// whoAmI is the one key check, for login and auth status: GET /api/me for a
// user or organization key, GET /api/organizations for a partner key. The
// error says what is wrong with the key, or that the API could not say.
func whoAmI(ctx context.Context, f *Factory, api *apiFlags, key string) (*identity, error) {
	cfg := api.forwarderConfig(f)
	cfg.ReadOnly = true // checking a key only reads
	fwd, err := forward.New(cfg, staticKey(key), f.Index, f.HTTPClient, nil)
	if err != nil {
		return nil, err
	}
	partner := api.AuthMode == "partner"
	op := "identity_get"
	if partner {
		op = "organization_list"
	}
	res, err := fwd.Execute(ctx, forward.Request{OperationID: op})
	switch {
	case err != nil:
		return nil, fmt.Errorf("could not reach the API to check the key: %w", err)
	case res.Status == 401:
		return nil, fmt.Errorf("%s rejected the key (HTTP 401): check it, then run `polytomic-mcp login` again", hostOf(api.APIURL))
	case res.Status == 403 && partner:
		return nil, errors.New("the key is not a partner key (HTTP 403 on GET /api/organizations): drop --partner / --auth-mode partner for a user or organization key")
	case res.IsError():
		return nil, fmt.Errorf("checking the key failed: %s %s answered HTTP %d", res.Method, res.Path, res.Status)
	}
	var id identity
	data, _ := json.Marshal(dataOf(res.Body))
	if partner {
		id.IsPartner = true
		_ = json.Unmarshal(data, &id.Organizations)
	} else {
		_ = json.Unmarshal(data, &id)
	}
	return &id, nil
}

// dataOf is the "data" member of a JSON reply, or nil.
func dataOf(body any) any {
	if m, ok := body.(map[string]any); ok {
		return m["data"]
	}
	return nil
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
