/* SPDX-License-Identifier: MIT */
/* org.c -- the simulated organisation: servers, people, partners, schedules.
 *
 * Modelled on the seed write-ups: two multi-role servers EX13-1/EX13-2 in a
 * DAG with one mailbox database whose active copy moves a few times, a
 * NetScaler in front (round robin, but not strictly alternating), a Postfix
 * smart host behind, test users Alan Reid and Alannah Shaw among a few
 * hundred colleagues, and the usual outside world (Gmail and friends). Every
 * choice comes from the seeded stream, in a fixed order, so the organisation
 * is the same for a seed whatever the size of the run. */
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "sim.h"

const char *const sim_builds[5] = {
    "8.3.83.006", "14.03.0123.003", "15.00.1497.002", "15.01.2507.039", "15.02.1118.040",
};

/* reply_style: 0 Gmail, 1 Office 365, 2 Yahoo, 3 Postfix, 4 generic. */
static const struct sim_domain domains[] = {
    { "gmail.com", "gmail-smtp-in.l.google.com[142.250.1.27]:25", "mail-wm1-f41.google.com", "209.85.128.41", 0, SIM_DP_NORMAL },
    { "outlook.com", "outlook-com.olc.protection.outlook.com[52.101.42.7]:25", "EUR05-DB8-obe.outbound.protection.outlook.com", "40.92.89.41", 1, SIM_DP_NORMAL },
    { "yahoo.com", "mta6.am0.yahoodns.net[67.195.204.72]:25", "sonic309-21.consmr.mail.ne1.yahoo.com", "66.163.187.12", 2, SIM_DP_NORMAL },
    { "contoso.com", "contoso-com.mail.protection.outlook.com[52.101.68.12]:25", "mail-he1eur02on0612.outbound.protection.outlook.com", "40.107.1.61", 1, SIM_DP_NORMAL },
    { "fabrikam.com", "mx1.fabrikam.com[203.0.113.25]:25", "mx1.fabrikam.com", "203.0.113.25", 3, SIM_DP_NORMAL },
    { "northwindtraders.com", "mail.northwindtraders.com[198.51.100.20]:25", "mail.northwindtraders.com", "198.51.100.20", 4, SIM_DP_NORMAL },
    { "wingtiptoys.com", "mx.wingtiptoys.com[198.51.100.77]:25", "smtp.wingtiptoys.com", "198.51.100.77", 4, SIM_DP_RELAY_DENIED },
    { "adatum.com", "mail.adatum.com[192.0.2.44]:25", "mail.adatum.com", "192.0.2.44", 3, SIM_DP_BUSY },
};
#define NDOMAINS (sizeof domains / sizeof domains[0])
/* How often each domain is picked for ordinary traffic (the special ones
 * are picked on purpose by flow.c). */
static const unsigned domain_weight[NDOMAINS] = { 45, 20, 8, 12, 10, 5, 0, 0 };

static const char *const first_names[] = {
    "alan", "alannah", "james", "mary", "robert", "patricia", "john", "jennifer",
    "michael", "linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
    "joseph", "jessica", "thomas", "sarah", "charles", "karen", "daniel", "nancy",
    "matthew", "lisa", "anthony", "betty", "mark", "sandra", "steven", "ashley",
    "paul", "emily", "andrew", "donna", "kevin", "michelle", "brian", "carol",
    "francois", "chloe", "mathieu", "genevieve", "yuki", "olga", "lukas", "sofia",
};
static const char *const last_names[] = {
    "reid", "shaw", "smith", "johnson", "williams", "brown", "jones", "garcia",
    "miller", "davis", "rodriguez", "martinez", "hernandez", "lopez", "wilson", "anderson",
    "thomas", "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson",
    "white", "harris", "sanchez", "clark", "lewis", "robinson", "walker", "young",
    "tremblay", "gagnon", "roy", "cote", "bouchard", "gauthier", "morin", "lavoie",
};
#define NFIRST (sizeof first_names / sizeof first_names[0])
#define NLAST (sizeof last_names / sizeof last_names[0])

static const char *const ext_locals[] = {
    "john.doe", "jane.smith", "orders", "info", "support", "billing", "noreply",
    "newsletter", "sales", "m.dupont", "k.tanaka", "a.schmidt", "hr", "careers",
    "p.rossi", "olivia.k", "jsmith1984", "mike.t", "accounts.payable", "events",
};
#define NEXTLOCALS (sizeof ext_locals / sizeof ext_locals[0])

static const char *const dl_names[] = {
    "all-staff", "sales", "it-support", "management", "accounts",
};
static const unsigned dl_sizes[] = { 40, 12, 6, 5, 8 };
#define NDL (sizeof dl_names / sizeof dl_names[0])

/* Subjects: ordinary, punctuated (commas and quotes force CSV quoting),
 * non-ASCII, empty, and hostile (markup and spreadsheet formulas that a
 * careless viewer would execute). */
static const char *const subjects[] = {
    "Quarterly numbers",
    "Budget review, Q3 2016",
    "Meeting notes: \"Project Falcon\" kickoff",
    "Lunch on Friday?",
    "Invoice #4471, due in 30 days",
    "Re-org announcement",
    "R\xc3\xa9union de l'\xc3\xa9quipe \xe2\x80\x93 ordre du jour",
    "Zusammenfassung: \xc3\x84nderungen f\xc3\xbcr n\xc3\xa4\x63hste Woche",
    "\xe4\xbc\x9a\xe8\xad\xb0\xe3\x81\xae\xe8\xad\xb0\xe4\xba\x8b\xe9\x8c\xb2",
    "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0\xb0 \xd0\xb0\xd0\xb2\xd0\xb3\xd1\x83\xd1\x81\xd1\x82",
    "Server maintenance window, Saturday 22:00",
    "Your password expires in 5 days",
    "Travel itinerary (Montr\xc3\xa9\x61l \xe2\x86\x92 Toronto)",
    "Contract draft v3 \"final\" (really)",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\",\"y\")",
    "=cmd|' /C calc'!A0",
    "+1-555-0100 callback",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "Photos from the offsite \xf0\x9f\x93\xb7",
    "Welcome aboard!",
    "Out of office: back Monday",
    "PO 88213 approved",
    "Timesheet reminder",
    "FW: Shipping confirmation 1Z999AA10123456784",
    "New hire paperwork, forms 1-4",
    "Holiday schedule",
    "Printer on 3rd floor jammed again",
    "Customer escalation: ticket 20931",
    "Draft press release \xe2\x80\x94 embargoed",
    "Board deck, comments by EOD",
    "Fwd: parking",
    "Year-end close checklist",
    "Training: Exchange 2016 DAG basics",
    "Test message",
    "int to int 1",
    "OutBound-001",
    "Gmail - INBD - 001",
    "'; DROP TABLE messages; --",
    "\xc3\x9cn\xc3\xaf\x63\xc3\xb6\x64\xc3\xa9, \"quotes\", and commas, all at once",
    "Security alert: unusual sign-in",
    "Weekly report",
    "Offer letter",
    "Pricing for 2017, confidential",
    "Happy birthday, Jo!",
    "",
    "Your order #A-20931 has shipped",
    "Webinar: \"Zero Trust\" in 30 minutes",
    "Expense report \xe2\x82\xac\x31\x32\x30,50",
    "Agenda",
};
static const char *const subject_suffix[] = { "", " (2)", " - updated", ", revised" };
#define NSUBJ (sizeof subjects / sizeof subjects[0])
#define NSUFFIX (sizeof subject_suffix / sizeof subject_suffix[0])

static char *arena_put(struct sim_org *g, const char *s, size_t n)
{
    if (g->arena_used + n + 1 > g->arena_cap)
        return NULL;
    char *d = g->arena + g->arena_used;
    memcpy(d, s, n);
    d[n] = 0;
    g->arena_used += n + 1;
    return d;
}

static int add_addr(struct sim_org *g, const char *s, size_t n, uint8_t kind)
{
    struct sim_addr *a = &g->addr[g->naddr];
    memset(a, 0, sizeof *a);
    a->s = arena_put(g, s, n);
    if (!a->s)
        return -1;
    a->n = (uint16_t)n;
    a->kind = kind;
    g->naddr++;
    return 0;
}

static int build_people(struct sim_org *g)
{
    struct sim_rng *r = &g->rng;
    char tmp[128], *p;
    g->nuser = 400;
    g->next = 600;
    g->nunk = 40;
    uint32_t total = g->nuser + g->next + (uint32_t)NDL + g->nunk + 1;
    g->addr = calloc(total, sizeof *g->addr);
    g->arena_cap = (size_t)total * 64 + 4096;
    g->arena = malloc(g->arena_cap);
    uint32_t nmem = 0;
    for (size_t i = 0; i < NDL; i++)
        nmem += dl_sizes[i];
    g->members = malloc(nmem * sizeof *g->members);
    if (!g->addr || !g->arena || !g->members)
        return -1;

    /* Users: first.last, unique; the seed's two test users first. */
    g->user0 = g->naddr;
    uint8_t used[NFIRST][NLAST];
    memset(used, 0, sizeof used);
    for (uint32_t i = 0; i < g->nuser; i++) {
        size_t f, l;
        if (i == 0) {
            f = 0, l = 0;
        } else if (i == 1) {
            f = 1, l = 1;
        } else {
            do {
                f = sim_below(r, NFIRST);
                l = sim_below(r, NLAST);
            } while (used[f][l]);
        }
        used[f][l] = 1;
        p = sim_put_str(tmp, first_names[f]);
        *p++ = '.';
        p = sim_put_str(p, last_names[l]);
        size_t local = (size_t)(p - tmp);
        p = SIM_PUTS(p, "@mynet.lan");
        if (add_addr(g, tmp, (size_t)(p - tmp), SIM_A_USER))
            return -1;
        struct sim_addr *a = &g->addr[g->naddr - 1];
        a->user = arena_put(g, tmp, local);
        a->guid_hi = sim_next(r);
        a->guid_lo = sim_next(r);
        /* Four in ten carry a phone that syncs over ActiveSync. */
        a->device = sim_chance(r, 400) ? (uint8_t)(1 + sim_below(r, 3)) : 0;
        a->device_id = sim_next(r);
        if (!a->user)
            return -1;
    }

    /* Correspondents outside, spread over the ordinary domains by weight. */
    g->ext0 = g->naddr;
    unsigned wsum = 0;
    for (size_t d = 0; d < NDOMAINS; d++)
        wsum += domain_weight[d];
    for (uint32_t i = 0; i < g->next; i++) {
        unsigned d;
        if (i < 20) {
            d = (unsigned)(NDOMAINS - 2 + i % 2); /* the special domains */
        } else {
            unsigned x = sim_below(r, wsum);
            for (d = 0; x >= domain_weight[d]; d++)
                x -= domain_weight[d];
        }
        if (sim_chance(r, 600)) {
            p = sim_put_str(tmp, first_names[sim_below(r, NFIRST)]);
            *p++ = '.';
            p = sim_put_str(p, last_names[sim_below(r, NLAST)]);
        } else {
            p = sim_put_str(tmp, ext_locals[sim_below(r, NEXTLOCALS)]);
        }
        p = sim_put_u64(p, i);
        *p++ = '@';
        p = sim_put_str(p, domains[d].name);
        if (add_addr(g, tmp, (size_t)(p - tmp), SIM_A_EXTERNAL))
            return -1;
        g->addr[g->naddr - 1].domain = (uint8_t)d;
    }

    /* Distribution groups with random members. */
    g->dl0 = g->naddr;
    g->ndl = (uint32_t)NDL;
    uint32_t mi = 0;
    for (size_t i = 0; i < NDL; i++) {
        p = sim_put_str(tmp, dl_names[i]);
        p = SIM_PUTS(p, "@mynet.lan");
        if (add_addr(g, tmp, (size_t)(p - tmp), SIM_A_DL))
            return -1;
        struct sim_addr *a = &g->addr[g->naddr - 1];
        a->first_member = mi;
        a->nmembers = (uint16_t)dl_sizes[i];
        uint32_t start = sim_below(r, g->nuser);
        uint32_t step = 1 + sim_below(r, 7);
        for (unsigned k = 0; k < dl_sizes[i]; k++)
            g->members[mi++] = g->user0 + (start + k * step) % g->nuser;
    }

    /* Addresses that look internal but resolve to nobody (typos, leavers). */
    g->unk0 = g->naddr;
    for (uint32_t i = 0; i < g->nunk; i++) {
        const struct sim_addr *u = &g->addr[g->user0 + sim_below(r, g->nuser)];
        size_t ul = strlen(u->user);
        memcpy(tmp, u->user, ul);
        if (ul > 3) {   /* swap two letters, the commonest typo */
            size_t k = 1 + sim_below(r, (uint32_t)(ul - 2));
            char c = tmp[k];
            tmp[k] = tmp[k + 1];
            tmp[k + 1] = c;
        }
        /* A number keeps them distinct from each other and from real users
         * (whose local parts have no digits). */
        p = sim_put_u64(tmp + ul, i);
        p = SIM_PUTS(p, "@mynet.lan");
        if (add_addr(g, tmp, (size_t)(p - tmp), SIM_A_UNKNOWN))
            return -1;
    }
    g->postmaster = g->naddr;
    static const char pm[] = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@mynet.lan";
    return add_addr(g, pm, sizeof pm - 1, SIM_A_SYSTEM);
}

static int build_subjects(struct sim_org *g)
{
    g->nsubj = (uint32_t)(NSUBJ * NSUFFIX);
    g->subj = malloc(g->nsubj * sizeof *g->subj);
    g->subj_len = malloc(g->nsubj * sizeof *g->subj_len);
    char *text = malloc(g->nsubj * 128);
    if (!g->subj || !g->subj_len || !text) {
        free(text);
        return -1;
    }
    char *p = text;
    for (size_t i = 0; i < NSUBJ; i++) {
        for (size_t k = 0; k < NSUFFIX; k++) {
            /* Formulas and markup stay verbatim: a suffix would defuse them. */
            int hostile = subjects[i][0] == '=' || subjects[i][0] == '<' ||
                          subjects[i][0] == '@' || subjects[i][0] == '+' || !subjects[i][0];
            const char *suf = hostile ? "" : subject_suffix[k];
            size_t idx = i * NSUFFIX + k;
            g->subj[idx] = p;
            p = sim_put_str(p, subjects[i]);
            p = sim_put_str(p, suf);
            g->subj_len[idx] = (uint16_t)(p - g->subj[idx]);
            *p++ = 0;
        }
    }
    return 0;
}

static void build_schedule(struct sim_org *g, int days)
{
    struct sim_rng *r = &g->rng;
    int64_t span = g->t_end - g->t_start;
    g->active0 = 0;
    g->nmoves = 0;
    if (g->nserv > 1) {
        /* "a few times during the run": 3 to 5 moves, like the seed's 12
         * test messages spread over 4 placements of the database. */
        g->nmoves = 3 + sim_below(r, 3);
        for (unsigned i = 0; i < g->nmoves; i++)
            g->move_t[i] = g->t_start + (int64_t)(sim_next(r) % (uint64_t)span);
        for (unsigned i = 1; i < g->nmoves; i++)
            for (unsigned k = i; k > 0 && g->move_t[k] < g->move_t[k - 1]; k--) {
                int64_t t = g->move_t[k];
                g->move_t[k] = g->move_t[k - 1];
                g->move_t[k - 1] = t;
            }
        unsigned cur = g->active0;
        for (unsigned i = 0; i < g->nmoves; i++) {
            unsigned nx = (cur + 1 + sim_below(r, g->nserv - 1)) % g->nserv;
            g->move_to[i] = (uint8_t)nx;
            cur = nx;
        }
    }
    /* Back pressure: most days each server spends a few minutes in it,
     * during business hours when the submission queue is longest. */
    g->nbp = 0;
    for (int d = 0; d < days; d++)
        for (unsigned s = 0; s < g->nserv; s++)
            for (int k = 0; k < 2; k++) {
                if (!sim_chance(r, k ? 300 : 700) || g->nbp >= 64)
                    continue;
                struct sim_window *w = &g->bp[g->nbp++];
                w->srv = (uint8_t)s;
                w->a = g->t_start + d * SIM_MS_PER_DAY + 12 * 3600000LL +
                       (int64_t)sim_below(r, 9 * 3600) * 1000;
                w->b = w->a + (3 + sim_below(r, 10)) * 60000LL;
            }
}

int sim_org_init(struct sim_org *g, int version, unsigned nserv, uint64_t seed,
                 int64_t t_start, int days, uint64_t msgs_per_day)
{
    memset(g, 0, sizeof *g);
    g->version = version;
    g->build = sim_builds[version];
    g->seed = seed;
    g->nserv = nserv;
    g->t_start = t_start;
    g->t_end = t_start + days * SIM_MS_PER_DAY;
    g->msgs_per_day = msgs_per_day;
    g->domains = domains;
    g->ndomains = (unsigned)NDOMAINS;
    sim_rng_seed(&g->rng, seed);
    g->db_hi = sim_next(&g->rng);
    g->db_lo = sim_next(&g->rng);
    /* .NET ticks at the start: Exchange session ids count up from there. */
    uint64_t ticks = (uint64_t)t_start * 10000 + 621355968000000000ULL;
    for (unsigned i = 0; i < nserv; i++) {
        struct sim_server *s = &g->srv[i];
        char *p = SIM_PUTS(s->name, "EX13-");
        p = sim_put_u64(p, i + 1);
        *p = 0;
        p = sim_put_str(s->fqdn, s->name);
        p = SIM_PUTS(p, ".mynet.lan");
        *p = 0;
        /* 10.0.0.11 and up, around the smart host's 10.0.0.25 (a 15th
         * server had its address: report took its RECEIVEs for relays) */
        p = SIM_PUTS(s->ip, "10.0.0.");
        p = sim_put_u64(p, 11 + i + (11 + i >= 25));
        *p = 0;
        if (version <= SIM_V2010)
            s->next_imid = 270000 + sim_below(&g->rng, 20000);
        else
            s->next_imid = 70000000000000ULL + (sim_next(&g->rng) % 1000000000000ULL);
        s->next_session = (ticks - 86400ULL * 10000000 * (1 + sim_below(&g->rng, 20))) &
                          ~0xFFFFFULL;
    }
    g->pf_inode = 0x400000 + sim_below(&g->rng, 0x100000);
    if (build_people(g) || build_subjects(g))
        return -1;
    build_schedule(g, days);
    return 0;
}

void sim_org_free(struct sim_org *g)
{
    free(g->addr);
    free(g->arena);
    free(g->members);
    if (g->subj)
        free((void *)g->subj[0]);
    free((void *)g->subj);
    free(g->subj_len);
}

unsigned sim_active_at(const struct sim_org *g, int64_t t)
{
    unsigned a = g->active0;
    for (unsigned i = 0; i < g->nmoves && g->move_t[i] <= t; i++)
        a = g->move_to[i];
    return a;
}

int sim_backpressure(const struct sim_org *g, unsigned srv, int64_t t)
{
    for (unsigned i = 0; i < g->nbp; i++)
        if (g->bp[i].srv == srv && t >= g->bp[i].a && t < g->bp[i].b)
            return 1;
    return 0;
}

unsigned sim_lb_pick(struct sim_org *g)
{
    /* Round robin that sometimes hands two in a row to the same server, as
     * the seed saw (3 to EX13-2, 1 to EX13-1 in four messages). */
    unsigned s = g->lb_next % g->nserv;
    if (sim_chance(&g->rng, 650))
        g->lb_next++;
    return s;
}

char *sim_put_subject(char *d, const struct sim_org *g, const struct sim_msg *m)
{
    if (m->dir == SIM_DIR_NDR)
        d = SIM_PUTS(d, "Undeliverable: ");
    if (m->reply)
        d = SIM_PUTS(d, "RE: ");
    return sim_put(d, g->subj[m->subject], g->subj_len[m->subject]);
}
