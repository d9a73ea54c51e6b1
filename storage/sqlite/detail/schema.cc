// Conventions: instants are INTEGER unix milliseconds (UTC) in columns named *_at; money is
// INTEGER micro-units of `currency` (*_micros) so sums are exact; JSON columns are checked with
// json_valid. Ids are surrogate keys: callers must not rely on their order or density.
#include "storage/sqlite/detail/schema.h"

namespace herald::storage::detail {
namespace {

constexpr std::string_view kContacts = R"sql(
CREATE TABLE contacts (
  id               INTEGER PRIMARY KEY,
  phone_e164       TEXT UNIQUE,            -- NULL once erased (GDPR); statistics stay anonymised
  name             TEXT,
  country          TEXT CHECK (country IS NULL OR length(country) = 2),
  language         TEXT,
  timezone         TEXT,
  attributes       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
  opted_out_at     INTEGER,                -- opt-out beats every consent
  opted_out_source TEXT,
  last_inbound_at  INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  erased_at        INTEGER
);
CREATE TABLE tags (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at INTEGER NOT NULL
);
CREATE TABLE contact_tags (
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_by_tag ON contact_tags (tag_id, contact_id);
CREATE TABLE consents (
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('marketing', 'utility')),
  granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
  changed_at INTEGER NOT NULL,
  source     TEXT NOT NULL,
  PRIMARY KEY (contact_id, purpose)
) WITHOUT ROWID;
)sql";

constexpr std::string_view kSendersTemplates = R"sql(
CREATE TABLE senders (
  id                   INTEGER PRIMARY KEY,
  phone_number_id      TEXT NOT NULL UNIQUE,   -- the platform's id, used in the send URL
  display_phone_number TEXT NOT NULL,
  waba_id              TEXT,
  messaging_tier       TEXT NOT NULL DEFAULT 'TIER_250',
  quality              TEXT NOT NULL DEFAULT 'UNKNOWN',
  state                TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'disabled')),
  max_messages_per_s   REAL,
  warmup_started_at    INTEGER,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE TABLE templates (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  language    TEXT NOT NULL,
  category    TEXT NOT NULL CHECK (category IN ('MARKETING', 'UTILITY', 'AUTHENTICATION')),
  status      TEXT NOT NULL,
  components  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(components)),
  platform_id TEXT,
  synced_at   INTEGER,
  UNIQUE (name, language)
);
-- The 24-hour customer service window per (business number, user).
CREATE TABLE service_windows (
  sender_id         INTEGER NOT NULL REFERENCES senders (id) ON DELETE CASCADE,
  contact_id        INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  last_inbound_at   INTEGER NOT NULL,
  entry_point_until INTEGER,                 -- 72-hour free entry point, when one applies
  PRIMARY KEY (sender_id, contact_id)
) WITHOUT ROWID;
)sql";

constexpr std::string_view kCampaignsDeliveries = R"sql(
CREATE TABLE campaigns (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL,
  segment_expr     TEXT NOT NULL,
  template_id      INTEGER REFERENCES templates (id),
  template_params  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(template_params)),
  state            TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'running', 'paused',
                                                  'completed', 'cancelled', 'failed')),
  start_at         INTEGER,
  timezone         TEXT,
  local_send_time  TEXT,                      -- "10:00" in each recipient's local time, or NULL
  spend_cap_micros INTEGER,
  currency         TEXT NOT NULL DEFAULT 'USD',
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE TABLE campaign_senders (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  sender_id   INTEGER NOT NULL REFERENCES senders (id),
  PRIMARY KEY (campaign_id, sender_id)
) WITHOUT ROWID;
-- One row per message Herald means to send. A campaign never queues a contact twice.
-- A claim is an owner plus a deadline even with one process, so several daemons can share work.
CREATE TABLE deliveries (
  id                    INTEGER PRIMARY KEY,
  campaign_id           INTEGER REFERENCES campaigns (id),   -- NULL for a single message
  contact_id            INTEGER NOT NULL REFERENCES contacts (id),
  sender_id             INTEGER NOT NULL REFERENCES senders (id),
  state                 TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'sent', 'delivered',
                                                       'read', 'failed', 'skipped', 'blocked',
                                                       'uncertain', 'cancelled')),
  reason                TEXT,                                -- e.g. skipped:opted_out
  not_before            INTEGER NOT NULL,
  claim_owner           TEXT,
  claim_deadline        INTEGER,
  attempts              INTEGER NOT NULL DEFAULT 0,
  provider_message_id   TEXT UNIQUE,                         -- wamid
  estimated_cost_micros INTEGER,
  actual_cost_micros    INTEGER,
  pricing_category      TEXT,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  sent_at               INTEGER,
  delivered_at          INTEGER,
  read_at               INTEGER,
  UNIQUE (campaign_id, contact_id)
);
CREATE INDEX deliveries_due ON deliveries (state, not_before);
CREATE INDEX deliveries_by_campaign ON deliveries (campaign_id, state);
CREATE INDEX deliveries_by_contact ON deliveries (contact_id, sent_at);
)sql";

constexpr std::string_view kComplianceAudit = R"sql(
CREATE TABLE word_lists (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,     -- "global", "de", "en", …
  language          TEXT,                     -- NULL for the global list
  active_version_id INTEGER,
  created_at        INTEGER NOT NULL
);
CREATE TABLE word_list_versions (
  id         INTEGER PRIMARY KEY,
  list_id    INTEGER NOT NULL REFERENCES word_lists (id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  reason     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (list_id, version)
);
CREATE TABLE word_terms (
  version_id INTEGER NOT NULL REFERENCES word_list_versions (id) ON DELETE CASCADE,
  term       TEXT NOT NULL,
  match_kind TEXT NOT NULL CHECK (match_kind IN ('word', 'phrase', 'prefix', 'regex', 'allow')),
  severity   TEXT NOT NULL CHECK (severity IN ('block', 'review')),
  note       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (version_id, term, match_kind)
) WITHOUT ROWID;
-- Who changed what, when and why. Append-only.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id   TEXT,
  reason      TEXT,
  detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE INDEX audit_log_by_object ON audit_log (object_type, object_id, at);
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

constexpr std::string_view kPricesWebhooks = R"sql(
-- Effective-dated rates: the row with the latest effective_from not after the send date wins.
CREATE TABLE prices (
  market         TEXT NOT NULL,               -- ISO 3166-1 alpha-2, or OTHER
  category       TEXT NOT NULL,               -- marketing, utility, authentication, …
  effective_from TEXT NOT NULL CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  rate_micros    INTEGER NOT NULL CHECK (rate_micros >= 0),
  currency       TEXT NOT NULL DEFAULT 'USD',
  source         TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (market, category, effective_from)
) WITHOUT ROWID;
-- Every webhook is stored before it is acknowledged and processed idempotently by dedupe_key.
CREATE TABLE webhook_events (
  id           INTEGER PRIMARY KEY,
  dedupe_key   TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  received_at  INTEGER NOT NULL,
  payload      TEXT NOT NULL,
  processed_at INTEGER,
  error        TEXT
);
CREATE INDEX webhook_events_pending ON webhook_events (received_at) WHERE processed_at IS NULL;
)sql";

constexpr std::string_view kSegments = R"sql(
-- Saved (named) segment expressions.
CREATE TABLE segments (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  expression TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

constexpr std::string_view kImports = R"sql(
-- Contact imports, durable: the status answers after a restart. Counts are those of the batches
-- committed (each batch's job updates them in the same transaction), so an import cut by a crash
-- shows exactly how far it got. Ids are random, so they never repeat across restarts.
CREATE TABLE imports (
  id          TEXT PRIMARY KEY,
  state       TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'cancelled',
                                             'interrupted')),
  actor       TEXT NOT NULL,
  options     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
  columns     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(columns)),
  delimiter   TEXT NOT NULL DEFAULT ',',
  rows        INTEGER NOT NULL DEFAULT 0,
  created     INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0,
  warnings    INTEGER NOT NULL DEFAULT 0,
  warning_samples TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warning_samples)),
  error       TEXT,
  started_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER,
  claim_owner TEXT                      -- the instance running it, while it runs
);
CREATE INDEX imports_by_start ON imports (started_at);
CREATE TABLE import_rejects (
  import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  line      INTEGER NOT NULL,
  reason    TEXT NOT NULL,
  fields    TEXT NOT NULL CHECK (json_valid(fields)),
  PRIMARY KEY (import_id, line)
) WITHOUT ROWID;
)sql";

// Sending (issue 16). Portfolios own the senders' messaging tier; campaigns and deliveries are
// rebuilt for the send path's states (nothing wrote them before this version, but their rows are
// carried over all the same); the send lease; market rules as effective-dated data.
constexpr std::string_view kSending = R"sql(
CREATE TABLE portfolios (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  messaging_tier   TEXT NOT NULL DEFAULT 'TIER_250',  -- TIER_250 … TIER_UNLIMITED, or a TIER_* as given
  restricted_until INTEGER,                          -- business-initiated sends paused until then
  restriction_type TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
INSERT INTO portfolios (name, messaging_tier, created_at, updated_at)
  SELECT 'default', max(messaging_tier), min(created_at), max(updated_at) FROM senders
  HAVING count(*) > 0;
ALTER TABLE senders ADD COLUMN portfolio_id INTEGER REFERENCES portfolios (id);
UPDATE senders SET portfolio_id = (SELECT id FROM portfolios WHERE name = 'default');
ALTER TABLE senders DROP COLUMN messaging_tier;
ALTER TABLE senders RENAME COLUMN max_messages_per_s TO throughput_per_s;
UPDATE senders SET throughput_per_s = 80 WHERE throughput_per_s IS NULL;
ALTER TABLE senders ADD COLUMN state_reason TEXT;
CREATE INDEX senders_by_portfolio ON senders (portfolio_id);

CREATE TABLE old_campaigns AS SELECT * FROM campaigns;
CREATE TABLE old_campaign_senders AS SELECT * FROM campaign_senders;
CREATE TABLE old_deliveries AS SELECT * FROM deliveries;
DROP TABLE deliveries;
DROP TABLE campaign_senders;
DROP TABLE campaigns;

CREATE TABLE campaigns (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL,
  segment          TEXT NOT NULL,                 -- as given: an expression or a saved segment's name
  content          TEXT NOT NULL CHECK (json_valid(content)),  -- {"template":{…}} or {"text":"…"}
  state            TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'running', 'paused',
                                                  'completed', 'cancelled', 'expired')),
  state_reason     TEXT,
  start_at         INTEGER,
  timezone         TEXT,
  local_time       TEXT,                          -- "10:00" in each recipient's local time
  end_by           INTEGER,
  spend_cap_micros INTEGER,
  currency         TEXT NOT NULL DEFAULT 'USD',
  audience_size    INTEGER,                       -- set once the audience is fully written
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE INDEX campaigns_by_state ON campaigns (state);
CREATE TABLE campaign_senders (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  sender_id   INTEGER NOT NULL REFERENCES senders (id),
  PRIMARY KEY (campaign_id, sender_id)
) WITHOUT ROWID;
-- One row per message Herald means to send; a campaign never queues a contact twice. A queued
-- row with a claim_owner is claimed; 'sending' means handed (or about to be handed) to the
-- provider, durable before the hand-over, so a crash leaves it 'uncertain', never re-sent.
CREATE TABLE deliveries (
  id                    INTEGER PRIMARY KEY,
  campaign_id           INTEGER REFERENCES campaigns (id),   -- NULL for a single message
  contact_id            INTEGER NOT NULL REFERENCES contacts (id),
  sender_id             INTEGER REFERENCES senders (id),     -- NULL until one is assigned
  state                 TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered',
                                                       'read', 'failed', 'skipped', 'blocked',
                                                       'expired', 'uncertain', 'cancelled')),
  reason                TEXT,                                -- e.g. skipped:opted_out
  error_code            INTEGER,                             -- the platform's, when it answered one
  not_before            INTEGER NOT NULL,
  claim_owner           TEXT,
  claim_deadline        INTEGER,
  attempts              INTEGER NOT NULL DEFAULT 0,
  message               TEXT CHECK (message IS NULL OR json_valid(message)),  -- single messages
  provider_message_id   TEXT,                                -- wamid
  estimated_cost_micros INTEGER,
  actual_cost_micros    INTEGER,
  pricing_category      TEXT,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  sent_at               INTEGER,
  delivered_at          INTEGER,
  read_at               INTEGER,
  UNIQUE (campaign_id, contact_id)
);
-- Claims take due rows per campaign (NULL: single messages), earliest first; counts by state use
-- it too, so a paused campaign's backlog never slows another campaign's claims.
CREATE INDEX deliveries_by_campaign ON deliveries (campaign_id, state, not_before);
CREATE INDEX deliveries_by_contact ON deliveries (contact_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE UNIQUE INDEX deliveries_by_message ON deliveries (provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX deliveries_claimed ON deliveries (claim_deadline) WHERE claim_owner IS NOT NULL;

INSERT INTO campaigns (id, name, segment, content, state, start_at, timezone, local_time,
                       spend_cap_micros, currency, created_by, created_at, updated_at, started_at,
                       finished_at)
  SELECT id, name, segment_expr,
         json_object('template', json_object('id', template_id, 'parameters', json(template_params))),
         CASE state WHEN 'failed' THEN 'cancelled' ELSE state END, start_at, timezone,
         local_send_time, spend_cap_micros, currency, created_by, created_at, updated_at,
         started_at, finished_at
  FROM old_campaigns;
INSERT INTO campaign_senders SELECT campaign_id, sender_id FROM old_campaign_senders;
INSERT INTO deliveries (id, campaign_id, contact_id, sender_id, state, reason, not_before,
                        claim_owner, claim_deadline, attempts, provider_message_id,
                        estimated_cost_micros, actual_cost_micros, pricing_category, created_at,
                        updated_at, sent_at, delivered_at, read_at)
  SELECT id, campaign_id, contact_id, sender_id,
         CASE WHEN state = 'claimed' AND attempts > 0 THEN 'uncertain'
              WHEN state = 'claimed' THEN 'queued' ELSE state END,
         reason, not_before, NULL, NULL, attempts, provider_message_id, estimated_cost_micros,
         actual_cost_micros, pricing_category, created_at, updated_at, sent_at, delivered_at,
         read_at
  FROM old_deliveries;
DROP TABLE old_deliveries;
DROP TABLE old_campaign_senders;
DROP TABLE old_campaigns;

-- Named leases: 'sender' is held by the one heraldd that sends for this database.
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,      -- unique per process start
  host        TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL,
  deadline    INTEGER NOT NULL
) WITHOUT ROWID;

-- Platform market rules, effective-dated: a message of `category` to a recipient in `market` is
-- not sent while effective_from <= the send date < effective_until (open-ended when NULL).
CREATE TABLE market_rules (
  market          TEXT NOT NULL,       -- ISO 3166-1 alpha-2
  category        TEXT NOT NULL,       -- marketing, utility, authentication, service
  effective_from  TEXT NOT NULL CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  effective_until TEXT CHECK (effective_until IS NULL OR
                              effective_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  reason          TEXT NOT NULL,       -- recorded on skipped deliveries: skipped:market:<reason>
  platform_error  INTEGER,             -- what the platform would answer (131049)
  source          TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (market, category, effective_from)
) WITHOUT ROWID;
INSERT INTO market_rules VALUES
  ('US', 'marketing', '2025-04-01', NULL, 'us_marketing_pause', 131049,
   'reference/whatsapp.md: no marketing templates to US numbers since 2025-04-01');
)sql";

// Webhook processing (issue 17): what status webhooks report on a delivery (the pricing object
// as received, the error's details, when the recipient replied), and the webhook requests as
// received (nothing wrote the table of migration 5 before this version: it is made anew). A
// request is appended before it is answered; repeats of a body are found in memory by its hash
// (webhooks/recent_bodies.h), not by a unique index, whose random page writes limited ingestion.
constexpr std::string_view kWebhookProcessing = R"sql(
ALTER TABLE deliveries ADD COLUMN pricing TEXT CHECK (pricing IS NULL OR json_valid(pricing));
ALTER TABLE deliveries ADD COLUMN error_details TEXT;
ALTER TABLE deliveries ADD COLUMN replied_at INTEGER;
DROP TABLE webhook_events;
CREATE TABLE webhook_events (
  id           INTEGER PRIMARY KEY,
  body_hash    INTEGER NOT NULL,               -- the first 8 bytes of the body's SHA-256
  source       TEXT NOT NULL,                  -- platform (POST /webhooks/whatsapp) or sandbox
  received_at  INTEGER NOT NULL,
  payload      TEXT NOT NULL,                  -- the body as received
  processed_at INTEGER,
  summary      TEXT,                           -- what it held: "statuses=2 messages=1"
  error        TEXT,                           -- processed, but not (fully) applied: why
  attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_pending ON webhook_events (id) WHERE processed_at IS NULL;
)sql";

// Outbound event hooks (issue 17, item 5; docs/hooks.md): events for other systems, stored in
// the write job of the change they report, and one delivery per subscribed endpoint, pending until
// the endpoint answered 2xx (delivered) or Herald gave up (dead: a dead letter, replayable).
// `since` is when the delivery was stored or last replayed: its maximum age counts from there.
constexpr std::string_view kEventHooks = R"sql(
CREATE TABLE hook_events (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  data       TEXT NOT NULL CHECK (json_valid(data)),
  created_at INTEGER NOT NULL
);
CREATE TABLE hook_deliveries (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES hook_events (id),
  endpoint        TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  since           INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  finished_at     INTEGER,
  last_error      TEXT,
  UNIQUE (event_id, endpoint)
);
CREATE INDEX hook_deliveries_due ON hook_deliveries (endpoint, next_attempt_at, id)
  WHERE state = 'pending';
CREATE INDEX hook_deliveries_by_state ON hook_deliveries (endpoint, state, id);
)sql";

// Prices and pricing rules (issue 18): the prices table of migration 5 (never written) is made
// anew with a history: each import that changes something is a version, and a row replaced or
// removed is kept with the version that retired it. The pricing rules are effective-dated policy
// versions, seeded with the platform's announced ones (reference/whatsapp.md, "Pricing"); the
// deliveries keep how their estimate was reached, for the estimate-vs-actual report.
constexpr std::string_view kPricing = R"sql(
DROP TABLE prices;
CREATE TABLE price_versions (
  version    INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  source     TEXT NOT NULL,
  mode       TEXT NOT NULL CHECK (mode IN ('merge', 'replace')),
  added      INTEGER NOT NULL,
  replaced   INTEGER NOT NULL,
  retired    INTEGER NOT NULL,
  rows       INTEGER NOT NULL
);
CREATE TABLE prices (
  market         TEXT NOT NULL,               -- ISO 3166-1 alpha-2, a group's name, or OTHER
  category       TEXT NOT NULL,               -- marketing, utility, authentication, …
  effective_from TEXT NOT NULL CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  version        INTEGER NOT NULL REFERENCES price_versions (version),
  members        TEXT NOT NULL DEFAULT '',    -- a group's countries, space-separated
  rate_micros    INTEGER NOT NULL CHECK (rate_micros >= 0),
  currency       TEXT NOT NULL,
  source         TEXT NOT NULL DEFAULT '',
  retired_in     INTEGER REFERENCES price_versions (version),
  PRIMARY KEY (market, category, effective_from, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX prices_current ON prices (market, category, effective_from)
  WHERE retired_in IS NULL;
CREATE TABLE pricing_rules (
  effective_from TEXT PRIMARY KEY CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  utility_free_in_window        INTEGER NOT NULL CHECK (utility_free_in_window IN (0, 1)),
  service_free                  INTEGER NOT NULL CHECK (service_free IN (0, 1)),
  free_service_per_number_month INTEGER NOT NULL CHECK (free_service_per_number_month >= 0),
  service_rate_category         TEXT NOT NULL,
  entry_point_free              INTEGER NOT NULL CHECK (entry_point_free IN (0, 1)),
  source                        TEXT NOT NULL DEFAULT '',
  updated_by                    TEXT NOT NULL DEFAULT 'schema',
  updated_at                    INTEGER
) WITHOUT ROWID;
INSERT INTO pricing_rules (effective_from, utility_free_in_window, service_free,
                           free_service_per_number_month, service_rate_category,
                           entry_point_free, source) VALUES
  ('2025-07-01', 1, 1, 0, 'utility', 1,
   'reference/whatsapp.md: per-message pricing from 2025-07-01'),
  ('2026-10-01', 0, 0, 1000, 'utility', 1,
   'reference/whatsapp.md: from 2026-10-01 (reported by several providers; verify)');
-- The windows of one contact (the send path and the estimates look them up by contact; the
-- primary key starts with the sender, so without this every lookup scanned the table).
CREATE INDEX service_windows_by_contact ON service_windows (contact_id);
ALTER TABLE deliveries ADD COLUMN estimate_basis TEXT;     -- regular, free_customer_service, …
ALTER TABLE deliveries ADD COLUMN estimate_category TEXT;  -- the category the estimate billed
)sql";

// Actual cost (issue 18, item 6): the fields of the platform's pricing object, kept in columns so
// the estimate-vs-actual report groups by them without parsing JSON; filled for the deliveries
// already stored. A failed message, or one the platform said it does not bill, costs nothing;
// what a billed one cost needs the price table, so it stays unknown for rows stored before.
constexpr std::string_view kActualCost = R"sql(
ALTER TABLE deliveries ADD COLUMN pricing_billable INTEGER CHECK (pricing_billable IN (0, 1));
ALTER TABLE deliveries ADD COLUMN pricing_type TEXT;
UPDATE deliveries
   SET pricing_billable = CASE json_type(pricing, '$.billable')
                            WHEN 'true' THEN 1 WHEN 'false' THEN 0 END,
       pricing_category = lower(json_extract(pricing, '$.category')),
       pricing_type = lower(json_extract(pricing, '$.type'))
 WHERE pricing IS NOT NULL;
UPDATE deliveries SET actual_cost_micros = 0
 WHERE state = 'failed' OR (state IN ('delivered', 'read') AND pricing_billable = 0);
-- The few contacts who opted out, for "opted out after" in the reports.
CREATE INDEX contacts_opted_out ON contacts (opted_out_at) WHERE opted_out_at IS NOT NULL;
)sql";

// Retention (issue 18, item 8): deliveries older than their retention are summed into
// delivery_aggregates before they are deleted, keyed by everything the reports group by, so the
// funnel, the estimate-vs-actual report and the months keep working for purged rows. Sentinels
// instead of NULL keep the key unique: day -1 (never sent), error_code and pricing_billable -1
// (none), '' for no text; campaign_id 0 for single messages.
constexpr std::string_view kRetention = R"sql(
CREATE TABLE delivery_aggregates (
  campaign_id       INTEGER NOT NULL,
  day               INTEGER NOT NULL,
  state             TEXT NOT NULL,
  reason            TEXT NOT NULL,
  error_code        INTEGER NOT NULL,
  estimate_category TEXT NOT NULL,
  estimate_basis    TEXT NOT NULL,
  pricing_billable  INTEGER NOT NULL,
  pricing_category  TEXT NOT NULL,
  pricing_type      TEXT NOT NULL,
  actual_known      INTEGER NOT NULL,
  actual_matches    INTEGER NOT NULL,
  count             INTEGER NOT NULL,
  sent              INTEGER NOT NULL,
  delivered         INTEGER NOT NULL,
  read              INTEGER NOT NULL,
  replied           INTEGER NOT NULL,
  opted_out_after   INTEGER NOT NULL,
  failed            INTEGER NOT NULL,
  estimate_micros   INTEGER NOT NULL,
  actual_micros     INTEGER NOT NULL,
  actual_unknown    INTEGER NOT NULL,
  first_sent        INTEGER,
  last_sent         INTEGER,
  example_id        INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, day, state, reason, error_code, estimate_category, estimate_basis,
               pricing_billable, pricing_category, pricing_type, actual_known, actual_matches)
) WITHOUT ROWID;
)sql";

constexpr Migration kMigrations[] = {
    {1, "contacts, tags, consents", kContacts},
    {2, "senders, templates, service windows", kSendersTemplates},
    {3, "campaigns, deliveries", kCampaignsDeliveries},
    {4, "word lists, audit log", kComplianceAudit},
    {5, "prices, webhook events", kPricesWebhooks},
    {6, "saved segments", kSegments},
    {7, "durable imports", kImports},
    {8, "portfolios, campaigns and deliveries for sending, leases, market rules", kSending},
    {9, "webhook processing", kWebhookProcessing},
    {10, "outbound event hooks", kEventHooks},
    {11, "prices with history, pricing rules, estimate basis", kPricing},
    {12, "actual cost from the platform's pricing", kActualCost},
    {13, "retention: delivery aggregates", kRetention},
};

}  // namespace

std::span<const Migration> SchemaMigrations() { return kMigrations; }

}  // namespace herald::storage::detail
