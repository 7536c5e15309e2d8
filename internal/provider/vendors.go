package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

// The vendors, as data. Each is one vendorSpec in vendorSections: its section of the provider
// block, its environment variables, how its client is built and which lists the reads of an
// operation share. The rest of the provider reaches a vendor through its slot in Clients.

// Environment variables of the vendor sections (names, not credentials).
//
//nolint:gosec // G101 mistakes these variable names for hardcoded credentials.
const (
	envInveterateAPIKey  = "INVETERATE_API_KEY"
	envInveterateBaseURL = "INVETERATE_BASE_URL"
	envInveteratePace    = "INVETERATE_REQUESTS_PER_SECOND"
	envBlazePartnerKey   = "BLAZE_PARTNER_KEY"
	envBlazeDeveloperKey = "BLAZE_DEVELOPER_KEY"
	envBlazeBaseURL      = "BLAZE_BASE_URL"
	envBlazePace         = "BLAZE_REQUESTS_PER_SECOND"
	envLuneAPIKey        = "LUNE_API_KEY"
	envLuneAccountID     = "LUNE_ACCOUNT_ID"
	envLuneBaseURL       = "LUNE_BASE_URL"
	envLunePace          = "LUNE_REQUESTS_PER_SECOND"
)

// Clients is the provider data handed to every resource, data source and list resource: one slot
// per vendor, and the lists the reads of the operation share.
type Clients struct {
	Lune       Vendor[lune.Client]
	Inveterate Vendor[inveterate.Client]
	Blaze      Vendor[blaze.Client]

	// lists are the operation's list caches. Terraform configures the provider anew for every
	// operation, so they never outlive one.
	lists operationLists
}

// operationLists are the list caches of one operation: one per vendor API surface, taken on
// demand, so that refreshing a hundred webhooks costs one list call rather than a hundred gets.
// Each vendor's client drops its lists after every write (its OnWrite hook).
type operationLists struct {
	luneWebhooks                   *listCache[lune.Webhook]
	inveterateWebhookSubscriptions *listCache[inveterate.Subscription]
	inveterateWebhooks             *listCache[inveterate.Webhook]
	partnerWebhooks                *listCache[blaze.Webhook]
}

// The slots of Clients, as the resources of each vendor name them.
func luneVendor(c *Clients) *Vendor[lune.Client]             { return &c.Lune }
func inveterateVendor(c *Clients) *Vendor[inveterate.Client] { return &c.Inveterate }
func blazeVendor(c *Clients) *Vendor[blaze.Client]           { return &c.Blaze }

// vendorSections are the vendors the provider configures, in the order of its documentation.
var vendorSections = []vendorSection{
	vendorSpec[inveterate.Client]{
		section: "inveterate", name: "Inveterate",
		description: "Inveterate Public API 2.0, for `webhooks_inveterate_webhook_subscription` and `webhooks_inveterate_webhook`.",
		credentials: []setting{
			{"api_key", envInveterateAPIKey, "The merchant's private API key, sent as `X-Inveterate-Api-Key`."},
		},
		baseURL: setting{"base_url", envInveterateBaseURL, "https://public.inveterateapi.com"},
		pace:    pace{envInveteratePace, "Inveterate documents no limit, so by default there is none", 1000},
		modelOf: func(m *providerModel) types.Object { return m.Inveterate },
		slot:    inveterateVendor,
		newClient: func(in clientInput) (*inveterate.Client, error) {
			c, err := inveterate.New(inveterate.Config{
				Settings: in.settings, APIKey: in.args["api_key"], OnWrite: in.lists.invalidateInveterate,
				VisibilityWait: in.opts.InveterateVisibilityWait, PollInterval: in.opts.InveteratePollInterval,
				Context: in.ctx,
			})
			if err == nil {
				in.lists.inveterateWebhookSubscriptions = newListCache(in.ctx, c.ListSubscriptions)
				in.lists.inveterateWebhooks = newListCache(in.ctx, c.ListWebhooks)
			}
			return c, err
		},
	},
	vendorSpec[blaze.Client]{
		section: "blaze", name: "BLAZE",
		description: "BLAZE Partner API, for `webhooks_partner_webhook`.",
		credentials: []setting{
			{"partner_key", envBlazePartnerKey, "The partner key, sent as `x-api-key`."},
			{"developer_key", envBlazeDeveloperKey, "The developer key, sent as `Authorization`; it is tied to one company and shop."},
		},
		baseURL: setting{"base_url", envBlazeBaseURL, "https://api.partners.blaze.me"},
		pace:    pace{envBlazePace, "BLAZE documents no limit, so by default there is none", 1000},
		modelOf: func(m *providerModel) types.Object { return m.Blaze },
		slot:    blazeVendor,
		newClient: func(in clientInput) (*blaze.Client, error) {
			c, err := blaze.New(blaze.Config{
				Settings: in.settings, PartnerKey: in.args["partner_key"], DeveloperKey: in.args["developer_key"],
				PageSize: in.opts.BlazePageSize, OnWrite: in.lists.invalidateBlaze,
			})
			if err == nil {
				in.lists.partnerWebhooks = newListCache(in.ctx, func(ctx context.Context) ([]blaze.Webhook, error) {
					return c.ListWebhooks(ctx, blaze.ListOptions{})
				})
			}
			return c, err
		},
	},
	vendorSpec[lune.Client]{
		section: "lune", name: "Lune",
		description: "Lune API, for `webhooks_webhook`.",
		credentials: []setting{
			{"api_key", envLuneAPIKey, "The API key, sent as a Bearer token. Its mode (live or test) decides the webhooks' `account_type`."},
		},
		account: &setting{"account_id", envLuneAccountID, "Act on another account of the organisation (header `Lune-Account`)."},
		baseURL: setting{"base_url", envLuneBaseURL, "https://api.lune.co"},
		pace:    pace{envLunePace, "Lune allows 15 per API key in any one second, and by default the provider uses all of them: it counts as Lune does, holding each request's place until a second after its answer, so that network jitter never provokes a 429. Runs, configurations and provider aliases that use one key on one machine share the 15 exactly, through a small file in the user's cache directory; runs on other machines share them by backing off after a 429", lune.RateLimit},
		modelOf: func(m *providerModel) types.Object { return m.Lune },
		slot:    luneVendor,
		newClient: func(in clientInput) (*lune.Client, error) {
			c, err := lune.New(lune.Config{
				Settings: in.settings, APIKey: in.args["api_key"], AccountID: in.args["account_id"],
				OnWrite: in.lists.invalidateLune,
			})
			if err == nil {
				in.lists.luneWebhooks = newListCache(in.ctx, func(ctx context.Context) ([]lune.Webhook, error) {
					return c.ListWebhooks(ctx, nil)
				})
			}
			return c, err
		},
	},
}

// invalidateLune, invalidateInveterate and invalidateBlaze drop a vendor's lists after a write:
// they are its client's OnWrite hook. A list not built yet has nothing to drop.
func (l *operationLists) invalidateLune() { l.luneWebhooks.invalidate() }

func (l *operationLists) invalidateInveterate() {
	l.inveterateWebhookSubscriptions.invalidate()
	l.inveterateWebhooks.invalidate()
}

func (l *operationLists) invalidateBlaze() { l.partnerWebhooks.invalidate() }

// vendorSection is one vendor's section of the provider configuration.
type vendorSection interface {
	// key is the section's name in the provider block ("lune").
	key() string
	// attribute is the section's schema.
	attribute() schema.Attribute
	// model returns the section's value in the provider's configuration.
	model(*providerModel) types.Object
	// configure resolves the section against the environment and fills the vendor's slot.
	configure(ctx context.Context, section types.Object, settings httpclient.Settings, r resolver, clients *Clients)
	// status says, for the log, whether the vendor's client was built.
	status(*Clients) string
}

// setting is one string argument of a vendor section: its name, its environment variable and
// what it is (the description says the variable itself).
type setting struct{ name, env, description string }

// pace is a section's requests_per_second: its environment variable, what happens without it, and
// its most.
type pace struct {
	env, unset string
	most       int64
}

// clientInput is what a vendor's client constructor gets.
type clientInput struct {
	ctx      context.Context
	settings httpclient.Settings
	// args are the resolved credentials and account argument, by name.
	args  map[string]string
	opts  Options
	lists *operationLists
}

// vendorSpec is a vendor section whose client is a C.
type vendorSpec[C any] struct {
	section, name, description string
	credentials                []setting
	// account is the optional argument that makes requests act on another account, if the vendor
	// has one.
	account   *setting
	baseURL   setting
	pace      pace
	modelOf   func(*providerModel) types.Object
	slot      func(*Clients) *Vendor[C]
	newClient func(clientInput) (*C, error)
}

func (v vendorSpec[C]) key() string { return v.section }

func (v vendorSpec[C]) model(m *providerModel) types.Object { return v.modelOf(m) }

func (v vendorSpec[C]) status(c *Clients) string { return v.slot(c).status() }

func (v vendorSpec[C]) attribute() schema.Attribute {
	attrs := map[string]schema.Attribute{
		"base_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "API base URL. Defaults to `" + v.baseURL.description + "`; environment variable `" + v.baseURL.env + "`. " +
				"Must be " + validators.BaseURLRule + ", " +
				"so that credentials never travel in clear text to another machine.",
			Validators: []validator.String{validators.BaseURL()},
		},
		"requests_per_second": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "The most requests per second the provider sends to this API, whatever Terraform's " +
				"parallelism: " + validators.WholeNumberRule(1, v.pace.most) + ". " + v.pace.unset + "; environment variable `" + v.pace.env + "`.",
			Validators: []validator.Int64{validators.WholeNumber(1, v.pace.most)},
		},
	}
	for _, c := range v.credentials {
		attrs[c.name] = schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: c.describe()}
	}
	if a := v.account; a != nil {
		attrs[a.name] = schema.StringAttribute{Optional: true, MarkdownDescription: a.describe()}
	}
	return schema.SingleNestedAttribute{Optional: true, MarkdownDescription: v.description, Attributes: attrs}
}

func (s setting) describe() string { return s.description + " Environment variable `" + s.env + "`." }

func (v vendorSpec[C]) configure(ctx context.Context, section types.Object, settings httpclient.Settings, r resolver, clients *Clients) {
	slot := v.slot(clients)
	slot.Name = v.name
	for _, c := range v.credentials {
		slot.Credentials = append(slot.Credentials, arg(v.section, c.name, c.env))
	}
	slot.Base, slot.BaseDefault = arg(v.section, v.baseURL.name, v.baseURL.env), v.baseURL.description
	slot.Pace = arg(v.section, "requests_per_second", v.pace.env)
	if section.IsUnknown() {
		slot.Unknown = true
		return
	}
	values := sectionValues(section.Attributes())

	args := map[string]string{}
	known := true
	for _, c := range slot.Credentials {
		val, ok := c.value(values.str(fieldOf(c)), r.opts.getenv)
		known = known && ok
		if ok && val == "" {
			slot.Missing = append(slot.Missing, c)
		}
		args[fieldOf(c)] = val
	}
	if a := v.account; a != nil {
		account := arg(v.section, a.name, a.env)
		val, ok := account.value(values.str(a.name), r.opts.getenv)
		known = known && ok
		args[a.name] = val
		if val != "" {
			slot.Account = &account
		}
	}
	base, baseKnown := r.baseURL(v.name, slot.Base, values.str(v.baseURL.name))
	slot.Unknown = !known || !baseKnown
	if slot.Unknown || len(slot.Missing) > 0 || r.diags.HasError() {
		return
	}

	settings.BaseURL = base
	// Left alone, the vendor client keeps its own default pace.
	if n, ok := r.wholeNumber(values.int64("requests_per_second"), slot.Pace, 1, v.pace.most); ok {
		settings.RateLimit, settings.RateBurst = float64(n), 1
	}
	c, err := v.newClient(clientInput{ctx: ctx, settings: settings, args: args, opts: r.opts, lists: &clients.lists})
	if err != nil {
		validators.SettingError(r.diags, slot.Base.path, "", err)
		return
	}
	slot.Client = c
}
