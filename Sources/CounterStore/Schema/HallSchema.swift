// The store's schema as named migrations, applied in order; a shipped migration is never edited.
import Foundation
import GRDB

enum HallSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // A changed migration must fail loudly in development rather than silently diverge.
        migrator.eraseDatabaseOnSchemaChange = false

        migrator.registerMigration("2026-11-25 staff and windows") { db in
            try db.execute(sql: """
                CREATE TABLE windows (
                    number INTEGER PRIMARY KEY CHECK (number > 0),
                    name TEXT NOT NULL,
                    department TEXT NOT NULL
                );
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    window INTEGER,
                    department TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    terminal_user_id TEXT UNIQUE,
                    post TEXT CHECK (post IN ('A', 'B')),
                    updated_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX staff_post ON staff(window, post) WHERE post IS NOT NULL;
                """)
        }

        migrator.registerMigration("2026-11-25 devices and role bindings") { db in
            try db.execute(sql: """
                CREATE TABLE devices (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    profile TEXT NOT NULL,
                    serial_number TEXT,
                    address TEXT NOT NULL,
                    power_state TEXT NOT NULL DEFAULT 'unknown',
                    operational_state TEXT NOT NULL DEFAULT 'idle',
                    operational_reason TEXT,
                    first_seen INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL
                );
                CREATE TABLE device_roles (
                    name TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    windows TEXT NOT NULL DEFAULT '',
                    device_id TEXT REFERENCES devices(id) ON DELETE SET NULL,
                    bound_at INTEGER
                );
                CREATE UNIQUE INDEX device_roles_device ON device_roles(device_id) WHERE device_id IS NOT NULL;
                """)
        }

        migrator.registerMigration("2026-11-25 punches") { db in
            try db.execute(sql: """
                CREATE TABLE punches (
                    id INTEGER PRIMARY KEY,
                    terminal_serial TEXT NOT NULL,
                    terminal_user_id TEXT NOT NULL,
                    punched_at INTEGER NOT NULL,
                    verification TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    staff_id TEXT,
                    flag TEXT,
                    received_at INTEGER NOT NULL,
                    UNIQUE (terminal_serial, terminal_user_id, punched_at)
                );
                CREATE INDEX punches_time ON punches(punched_at);
                """)
        }

        migrator.registerMigration("2026-11-25 sign-ins and attendance mode") { db in
            try db.execute(sql: """
                CREATE TABLE sign_ins (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff(id),
                    signed_at INTEGER NOT NULL,
                    method TEXT NOT NULL CHECK (method IN ('pin', 'badge')),
                    terminal_role TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
                    reviewed_by TEXT,
                    reviewed_at INTEGER,
                    reject_reason TEXT
                );
                CREATE INDEX sign_ins_status ON sign_ins(status, signed_at);
                CREATE TABLE attendance_modes (
                    terminal_role TEXT PRIMARY KEY NOT NULL,
                    mode TEXT NOT NULL CHECK (mode IN ('normal', 'sign-in')),
                    since INTEGER NOT NULL,
                    reason TEXT NOT NULL
                );
                """)
        }

        migrator.registerMigration("2026-11-25 notices") { db in
            try db.execute(sql: """
                CREATE TABLE notice_sequences (
                    year INTEGER PRIMARY KEY NOT NULL,
                    last_sequence INTEGER NOT NULL CHECK (last_sequence >= 0)
                );
                CREATE TABLE notices (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    year INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    window INTEGER NOT NULL,
                    clerk TEXT NOT NULL,
                    applicant TEXT NOT NULL,
                    item TEXT NOT NULL,
                    received_on TEXT NOT NULL,
                    promised_completion TEXT,
                    draft TEXT NOT NULL,
                    issued_at INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'voided')),
                    void_reason TEXT,
                    idempotency_key TEXT UNIQUE,
                    UNIQUE (year, sequence)
                );
                CREATE INDEX notices_window ON notices(window, issued_at);
                """)
        }

        migrator.registerMigration("2026-11-25 print jobs") { db in
            try db.execute(sql: """
                CREATE TABLE print_jobs (
                    id INTEGER PRIMARY KEY,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    printer_role TEXT NOT NULL,
                    notice_id INTEGER REFERENCES notices(id),
                    copies INTEGER NOT NULL DEFAULT 2 CHECK (copies BETWEEN 1 AND 9),
                    state TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'printing', 'waiting', 'done', 'failed', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX print_jobs_queue ON print_jobs(printer_role, state, id);
                """)
        }

        migrator.registerMigration("2026-11-25 audit log") { db in
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("2026-11-25 print job outcomes") { db in
            try db.execute(sql: """
                ALTER TABLE print_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice' CHECK (kind IN ('notice', 'test'));
                ALTER TABLE print_jobs ADD COLUMN reprint INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE print_jobs ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE print_jobs ADD COLUMN waiting_since INTEGER;
                ALTER TABLE print_jobs ADD COLUMN printed_at INTEGER;
                ALTER TABLE print_jobs ADD COLUMN printed_on TEXT;
                """)
        }
        migrator.registerMigration("2026-11-25 badge cards and taps") { db in
            try db.execute(sql: """
                CREATE TABLE staff_cards (
                    card TEXT PRIMARY KEY NOT NULL,
                    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
                    set_at INTEGER NOT NULL
                );
                CREATE INDEX staff_cards_staff ON staff_cards(staff_id);
                CREATE TABLE badge_taps (
                    id INTEGER PRIMARY KEY,
                    reader TEXT NOT NULL,
                    card TEXT NOT NULL,
                    staff_id TEXT,
                    at INTEGER NOT NULL,
                    meaning TEXT NOT NULL
                );
                CREATE INDEX badge_taps_time ON badge_taps(at);
                CREATE INDEX badge_taps_unknown ON badge_taps(meaning, at) WHERE staff_id IS NULL;
                """)
        }
        migrator.registerMigration("2026-11-26 sign-in PINs and reconciled attendance") { db in
            try db.execute(sql: """
                CREATE TABLE staff_pins (
                    staff_id TEXT PRIMARY KEY NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
                    hash BLOB NOT NULL,
                    salt BLOB NOT NULL,
                    iterations INTEGER NOT NULL CHECK (iterations > 0),
                    failures INTEGER NOT NULL DEFAULT 0,
                    locked_until INTEGER,
                    set_at INTEGER NOT NULL
                );
                CREATE TABLE attendance_records (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    punch_id INTEGER REFERENCES punches(id),
                    sign_in_id INTEGER REFERENCES sign_ins(id),
                    terminal_role TEXT NOT NULL,
                    reconciled_at INTEGER NOT NULL,
                    CHECK (punch_id IS NOT NULL OR sign_in_id IS NOT NULL)
                );
                CREATE UNIQUE INDEX attendance_records_punch ON attendance_records(punch_id) WHERE punch_id IS NOT NULL;
                CREATE UNIQUE INDEX attendance_records_sign_in ON attendance_records(sign_in_id) WHERE sign_in_id IS NOT NULL;
                CREATE INDEX attendance_records_time ON attendance_records(at);
                CREATE TABLE attendance_conflicts (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    sign_in_id INTEGER REFERENCES sign_ins(id),
                    punch_id INTEGER REFERENCES punches(id),
                    description TEXT NOT NULL,
                    terminal_role TEXT NOT NULL,
                    found_at INTEGER NOT NULL,
                    resolved_by TEXT,
                    resolved_at INTEGER
                );
                CREATE UNIQUE INDEX attendance_conflicts_once ON attendance_conflicts(kind, IFNULL(sign_in_id, 0), IFNULL(punch_id, 0));
                """)
        }
        migrator.registerMigration("2026-11-26 replacement: discovered devices, bindings by ops, terminal backups") { db in
            // origin: who made the row (config, discovered, ops); identity_key: a discovered device's stable identity
            // (profile + USB serial, else port); presence: what the last scan saw (NULL for devices it does not watch).
            // bound_by: 'config' or the ops actor; the configuration rebinds only roles it bound itself.
            try db.execute(sql: """
                ALTER TABLE devices ADD COLUMN origin TEXT NOT NULL DEFAULT 'config';
                ALTER TABLE devices ADD COLUMN identity_key TEXT;
                ALTER TABLE devices ADD COLUMN presence TEXT CHECK (presence IN ('present', 'absent'));
                ALTER TABLE devices ADD COLUMN proposed_for TEXT;
                ALTER TABLE devices ADD COLUMN proposed_at INTEGER;
                CREATE UNIQUE INDEX devices_identity ON devices(identity_key) WHERE identity_key IS NOT NULL;
                ALTER TABLE device_roles ADD COLUMN bound_by TEXT NOT NULL DEFAULT 'config';
                CREATE TABLE terminal_backups (
                    id INTEGER PRIMARY KEY,
                    role TEXT NOT NULL,
                    device_id TEXT NOT NULL,
                    serial_number TEXT NOT NULL,
                    firmware TEXT NOT NULL,
                    taken_at INTEGER NOT NULL,
                    taken_by TEXT NOT NULL,
                    user_count INTEGER NOT NULL CHECK (user_count >= 0),
                    template_count INTEGER NOT NULL CHECK (template_count >= 0),
                    payload BLOB NOT NULL
                );
                CREATE INDEX terminal_backups_role ON terminal_backups(role, taken_at);
                """)
        }
        migrator.registerMigration("2026-11-26 api tokens") { db in
            // hash: SHA-256 of the whole token text (cg_…); the token itself is shown once and never stored.
            // role: APIRole's text form (clerk:3, duty-chief, ops, kiosk, read-only).
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    role TEXT NOT NULL,
                    hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    last_used_at INTEGER,
                    revoked_at INTEGER,
                    revoked_by TEXT
                );
                """)
        }
        // Terminals that call the gateway (ADMS / iclock): the stamps they were answered with (advanced in
        // the transaction that commits the data they cover), what they said about themselves, lines that could not be read
        // (kept with their raw bytes), the durable command queue, the gateway's copy of each terminal role's users and
        // fingerprints (what a replacement restores), and the operations done at the terminals.
        migrator.registerMigration("2026-11-26 push terminals") { db in
            try db.execute(sql: """
                CREATE TABLE push_stamps (
                    serial TEXT NOT NULL,
                    table_name TEXT NOT NULL,
                    stamp TEXT NOT NULL CHECK (length(stamp) BETWEEN 1 AND 20),
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (serial, table_name)
                );
                CREATE TABLE push_terminals (
                    serial TEXT PRIMARY KEY NOT NULL,
                    first_seen INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL,
                    last_handshake INTEGER,
                    push_version TEXT,
                    remote_address TEXT,
                    text_encoding TEXT,
                    facts TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE push_quarantine (
                    id INTEGER PRIMARY KEY,
                    serial TEXT NOT NULL,
                    table_name TEXT NOT NULL,
                    line_number INTEGER NOT NULL,
                    raw BLOB NOT NULL,
                    reason TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    reviewed_by TEXT,
                    reviewed_at INTEGER
                );
                CREATE UNIQUE INDEX push_quarantine_once ON push_quarantine(serial, table_name, raw);
                CREATE INDEX push_quarantine_open ON push_quarantine(reviewed_at, id);
                CREATE TABLE push_commands (
                    id INTEGER PRIMARY KEY,
                    serial TEXT NOT NULL,
                    command TEXT NOT NULL,
                    purpose TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sent', 'done', 'failed', 'expired', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
                    timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds > 0),
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    sent_at INTEGER,
                    finished_at INTEGER,
                    return_code INTEGER,
                    result TEXT
                );
                CREATE INDEX push_commands_due ON push_commands(serial, state, id);
                CREATE TABLE push_users (
                    role TEXT NOT NULL,
                    pin TEXT NOT NULL,
                    name TEXT NOT NULL,
                    privilege INTEGER NOT NULL,
                    password TEXT NOT NULL,
                    card TEXT NOT NULL,
                    grp TEXT NOT NULL,
                    time_zone TEXT NOT NULL,
                    serial TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (role, pin)
                );
                CREATE TABLE push_templates (
                    role TEXT NOT NULL,
                    pin TEXT NOT NULL,
                    finger INTEGER NOT NULL CHECK (finger BETWEEN 0 AND 9),
                    valid INTEGER NOT NULL,
                    template BLOB NOT NULL,
                    serial TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (role, pin, finger)
                );
                CREATE TABLE push_operations (
                    id INTEGER PRIMARY KEY,
                    serial TEXT NOT NULL,
                    op_type INTEGER NOT NULL,
                    operator TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    objects TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    UNIQUE (serial, op_type, at, operator, objects)
                );
                """)
        }
        migrator.registerMigration("2026-12-06 leave and outings") { db in
            try db.execute(sql: """
                CREATE TABLE leave_requests (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff(id),
                    kind TEXT NOT NULL,
                    starts_at INTEGER NOT NULL,
                    ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
                    reason TEXT NOT NULL,
                    made_up INTEGER NOT NULL,
                    window_has_lead INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    lead_opinion TEXT,
                    decided_by TEXT,
                    requested_by TEXT NOT NULL,
                    requested_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX leave_requests_by_time ON leave_requests (starts_at, ends_at);
                """)
        }
        migrator.registerMigration("2026-12-06 punch corrections") { db in
            try db.execute(sql: """
                CREATE TABLE punch_corrections (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff(id),
                    punched_at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    corrected_by TEXT NOT NULL,
                    corrected_at INTEGER NOT NULL
                );
                CREATE INDEX punch_corrections_by_time ON punch_corrections (punched_at);
                """)
        }
        migrator.registerMigration("2026-12-06 duty roster") { db in
            try db.execute(sql: """
                CREATE TABLE duty_roster (
                    day TEXT PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff(id),
                    set_by TEXT NOT NULL,
                    set_at INTEGER NOT NULL
                );
                ALTER TABLE api_tokens ADD COLUMN staff_id TEXT REFERENCES staff(id);
                """)
        }
        migrator.registerMigration("2026-12-06 published months") { db in
            try db.execute(sql: """
                CREATE TABLE published_months (
                    month TEXT PRIMARY KEY,
                    published_at INTEGER NOT NULL,
                    published_by TEXT NOT NULL,
                    sheet TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("2026-12-06 provisional deadlines") { db in
            // A promised date counted on weekends alone, across a year with no holiday arrangement loaded (暂定).
            try db.execute(sql: """
                ALTER TABLE notices ADD COLUMN promised_completion_provisional INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX notices_provisional ON notices (promised_completion_provisional, promised_completion);
                """)
        }
        migrator.registerMigration("2026-12-06 item catalogue") { db in
            // The window's items (事项目录), versioned: an import adds a version, a notice records the one it used.
            try db.execute(sql: """
                CREATE TABLE catalogue_versions (
                    version INTEGER PRIMARY KEY,
                    imported_at INTEGER NOT NULL,
                    imported_by TEXT NOT NULL,
                    source TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    items INTEGER NOT NULL
                );
                CREATE TABLE catalogue_items (
                    version INTEGER NOT NULL REFERENCES catalogue_versions(version),
                    window INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    promised_days INTEGER NOT NULL CHECK (promised_days BETWEEN 1 AND 365),
                    materials TEXT NOT NULL,
                    departments TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    PRIMARY KEY (version, window, name)
                );
                -- The supplementary-materials notice an acceptance follows: one acceptance in force per supplementary
                -- notice, enforced here so two clerks at once cannot both follow it.
                ALTER TABLE notices ADD COLUMN follows TEXT;
                CREATE UNIQUE INDEX notices_follows ON notices (follows) WHERE follows IS NOT NULL AND status = 'issued';
                -- The store's watch for jobs queued by other processes reads the queued jobs (QueuedJobWatch.swift).
                CREATE INDEX print_jobs_state ON print_jobs (state, id);
                """)
        }
        migrator.registerMigration("2026-12-06 audit seal") { db in
            // Entries that record rows (a notice, a batch of punches, 补卡, a sign-in) carry their ids and the SHA-256 of
            // their content (Audit/AuditRowSeal.swift). The rows stored before this are sealed once, here, as they are.
            try db.execute(sql: "ALTER TABLE audit_log ADD COLUMN seal TEXT")
            try AuditChain.sealExistingRows(db, at: Date())
        }
        migrator.registerMigration("2026-12-07 outbox") { db in
            // What the hall forwards to the county's centre (Records/OutboxStore.swift). Rows arrive through triggers,
            // in the transaction of the record itself; the triggers exist only once forwarding is switched on.
            try db.execute(sql: """
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    record_key TEXT NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE TABLE outbox_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    hall_id TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    acknowledged_seq INTEGER NOT NULL DEFAULT 0,
                    enabled_at INTEGER NOT NULL,
                    last_contact INTEGER,
                    last_error TEXT
                );
                """)
        }
        return migrator
    }
}
