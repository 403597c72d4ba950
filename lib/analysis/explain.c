/* SPDX-License-Identifier: MIT */
/* explain.c -- plain-language meanings of SMTP replies, enhanced status
 * codes and Winsock errors, and the failure class of a reply.
 *
 * The tables are switch statements rather than sorted arrays: the compiler
 * rejects a duplicated code, and there is no sort order to break when an
 * entry is added. Every text is mailtrail's own wording of RFC 5321 and
 * RFC 4954 (basic codes), RFC 3463 and the IANA registry (enhanced codes),
 * Microsoft's Exchange NDR tables and the Windows Sockets error list;
 * docs/status-codes.md lists each code with its source. Lookups go from the
 * most specific source to the most general one, so every question gets an
 * answer: Exchange's reading of a code beats the registry's generic one, and
 * an unlisted code still gets the meaning of its class and subject.
 *
 * The parser reads log data as it comes: it never reads past the slice, and
 * rejects instead of guessing when the bytes are not an SMTP reply. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "mailtrail/explain.h"

/* One key per enhanced code. Subject and detail are capped at 999 (RFC 3463
 * allows three digits) before packing, so two codes never share a key. */
#define ENH(c, s, d) ((c) * 1000000 + (s) * 1000 + (d))
#define SD(s, d) ((s) * 1000 + (d))

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* Does p[0..n) start with the NUL-terminated word w, ignoring ASCII case? */
static bool starts_with_ci(const char *p, size_t n, const char *w)
{
    size_t i = 0;
    for (; w[i] != '\0'; i++)
        if (i >= n || fold((unsigned char)p[i]) != fold((unsigned char)w[i]))
            return false;
    return true;
}

static bool contains_ci(mt_slice hay, const char *needle)
{
    if (hay.p == NULL)
        return false;
    for (size_t i = 0; i < hay.n; i++)
        if (starts_with_ci(hay.p + i, hay.n - i, needle))
            return true;
    return false;
}

/* Bytes that continue a host name or an address: "relay.contoso.com" or
 * "mx-relay" name a machine, not a refusal to relay. */
static bool is_name_byte(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '_' || c == '@' || c == '/';
}

/* A server refusing a connection because it has too many at once, from us
 * or in all: Exchange's "421 4.3.2 The maximum number of concurrent
 * connections has exceeded a limit, closing transmission channel" (its
 * receive connectors' MaxInboundConnection and MaxInboundConnectionPerSource),
 * Postfix's "421 4.7.0 ... Error: too many connections from ...". */
static bool mentions_connection_limit(mt_slice t)
{
    return mt_slice_contains_ci(t, MT_SLICE_LIT("concurrent connections")) ||
           mt_slice_contains_ci(t, MT_SLICE_LIT("too many connections")) ||
           mt_slice_contains_ci(t, MT_SLICE_LIT("too many concurrent"));
}

/* Does the reply text say that relaying was refused? Matches "relay",
 * "relaying" and "relayed" as words ("Unable to relay", "Relay access
 * denied", "relaying denied"), not inside host names. */
static bool mentions_relay(mt_slice t)
{
    if (t.p == NULL)
        return false;
    for (size_t i = 0; i < t.n; i++) {
        if (!starts_with_ci(t.p + i, t.n - i, "relay"))
            continue;
        if (i > 0 && (is_name_byte((unsigned char)t.p[i - 1]) || t.p[i - 1] == '.'))
            continue;
        size_t e = i + 5;
        if (starts_with_ci(t.p + e, t.n - e, "ing"))
            e += 3;
        else if (starts_with_ci(t.p + e, t.n - e, "ed"))
            e += 2;
        if (e < t.n) {
            unsigned char c = (unsigned char)t.p[e];
            if (is_name_byte(c))
                continue;
            if (c == '.' && e + 1 < t.n && is_alnum((unsigned char)t.p[e + 1]))
                continue;
        }
        return true;
    }
    return false;
}

/* ---- parsing ------------------------------------------------------------ */

/* One subject or detail number per RFC 3463: "0", or 1-3 digits without a
 * leading zero. */
static bool parse_enh_number(const char *p, size_t n, size_t *i, int *out)
{
    size_t k = *i;
    if (k >= n || !is_digit((unsigned char)p[k]))
        return false;
    if (p[k] == '0') {
        k++;
    } else {
        while (k < n && k - *i < 3 && is_digit((unsigned char)p[k]))
            k++;
    }
    if (k < n && is_digit((unsigned char)p[k]))
        return false;  /* "05" or a fourth digit: not an enhanced code */
    int v = 0;
    for (size_t j = *i; j < k; j++)
        v = v * 10 + (p[j] - '0');
    *out = v;
    *i = k;
    return true;
}

/* An enhanced code "c.s.d" at p[*i]. Text may follow without a space
 * (Exchange's "2.1.5Recipient OK"), but not another ".digit": "5.1.1.2" is
 * a version or an address, not a status. */
static bool parse_enhanced(const char *p, size_t n, size_t *i, int code, int *c, int *s, int *d)
{
    size_t k = *i;
    if (k + 1 >= n || !is_digit((unsigned char)p[k]) || p[k + 1] != '.')
        return false;
    int cls = p[k] - '0';
    /* RFC 3463: the class repeats the first digit of the basic code, so a
     * mismatch means these bytes are ordinary text. */
    if (cls != code / 100 || (cls != 2 && cls != 4 && cls != 5))
        return false;
    k += 2;
    int subject, detail;
    if (!parse_enh_number(p, n, &k, &subject))
        return false;
    if (k >= n || p[k] != '.')
        return false;
    k++;
    if (!parse_enh_number(p, n, &k, &detail))
        return false;
    if (k + 1 < n && p[k] == '.' && is_digit((unsigned char)p[k + 1]))
        return false;
    *c = cls;
    *s = subject;
    *d = detail;
    *i = k;
    return true;
}

bool mt_reply_parse(mt_slice s, struct mt_reply *out)
{
    /* What a caller gets for bytes that are no reply: code 0, empty text. */
    struct mt_reply r = { 0, false, -1, -1, -1, { s.p, 0 } };
    bool ok = false;
    const char *p = s.p;
    size_t n = p ? s.n : 0;
    size_t i = 0;

    while (i < n && is_space((unsigned char)p[i]))
        i++;
    if (i + 3 <= n && p[i] >= '2' && p[i] <= '5' && is_digit((unsigned char)p[i + 1]) &&
        is_digit((unsigned char)p[i + 2]) && (i + 3 == n || !is_digit((unsigned char)p[i + 3]))) {
        ok = true;
        r.code = (p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
        i += 3;
        if (i < n && p[i] == '-') {
            r.more = true;
            i++;
        }
        while (i < n && is_space((unsigned char)p[i]))
            i++;
        int c, sj, d;
        if (parse_enhanced(p, n, &i, r.code, &c, &sj, &d)) {
            r.enh_class = c;
            r.enh_subject = sj;
            r.enh_detail = d;
        }
        while (i < n && is_space((unsigned char)p[i]))
            i++;
        size_t end = n;
        while (end > i && is_space((unsigned char)p[end - 1]))
            end--;
        r.text = mt_slice_make(p + i, end - i);
    }
    if (out)
        *out = r;
    return ok;
}

/* An enhanced code the rest of this file may trust: callers can fill a
 * struct mt_reply by hand, so re-check what the parser would guarantee. */
static bool has_enhanced(const struct mt_reply *r)
{
    return (r->enh_class == 2 || r->enh_class == 4 || r->enh_class == 5) &&
           r->enh_class == r->code / 100 && r->enh_subject >= 0 && r->enh_subject <= 999 &&
           r->enh_detail >= 0 && r->enh_detail <= 999;
}

static bool is_reply_code(int code)
{
    return code >= 200 && code <= 599;
}

static mt_slice reply_text(const struct mt_reply *r)
{
    return r->text.p ? r->text : mt_slice_make(NULL, 0);
}

/* ---- basic reply codes (RFC 5321 section 4.2, RFC 4954, RFC 7504) ------- */

const char *mt_reply_code_meaning(int code)
{
    switch (code) {
    case 211: return "system status, or a reply to a help request";
    case 214: return "help text meant for a human reader";
    case 220: return "the service is ready";
    case 221: return "the service is closing the connection";
    case 235: return "authentication succeeded";
    case 250: return "the requested action was completed";
    case 251: return "the user is not local; the server will forward the message";
    case 252: return "the user cannot be verified, but the server will accept the message and try to deliver it";
    case 334: return "authentication challenge: the server waits for the client's answer";
    case 354: return "send the message content now, ending with a line that holds only a dot";
    case 421: return "the service is not available and the server is closing the connection";
    case 432: return "a password transition is needed before this authentication mechanism can be used";
    case 450: return "action not taken: the mailbox is unavailable for now (for example busy)";
    case 451: return "action aborted: the server hit a local error while processing";
    case 452: return "action not taken: not enough system storage on the server";
    case 454: return "TLS or authentication is temporarily unavailable";
    case 455: return "the server cannot accept these parameters right now";
    case 500: return "syntax error: the command was not recognised (or the line was too long)";
    case 501: return "syntax error in the command's parameters or arguments";
    case 502: return "the command is not implemented";
    case 503: return "the commands came in the wrong order";
    case 504: return "a command parameter is not implemented";
    case 521: return "this host does not accept mail at all";
    case 530: return "authentication is required first";
    case 534: return "the authentication mechanism is too weak";
    case 535: return "the authentication credentials are invalid";
    case 538: return "the authentication mechanism requires an encrypted connection";
    case 550: return "action not taken: the mailbox is unavailable (not found, or access refused)";
    case 551: return "the user is not local; the sender should try another path";
    case 552: return "action aborted: the storage allocation was exceeded";
    case 553: return "action not taken: the mailbox name is not allowed (for example bad syntax)";
    case 554: return "the transaction failed (at connection time: no SMTP service here)";
    case 555: return "the MAIL FROM or RCPT TO parameters are not recognised or not implemented";
    case 556: return "the domain does not accept mail";
    }
    switch (is_reply_code(code) ? code / 100 : 0) {
    case 2: return "success (2yz): the requested action was completed";
    case 3: return "more input needed (3yz): the server waits for the client to continue";
    case 4: return "temporary failure (4yz): the action was not taken, but a later retry may work";
    case 5: return "permanent failure (5yz): the action was not taken, and repeating it unchanged will fail";
    }
    return "not an SMTP reply code (they run from 200 to 599)";
}

/* ---- enhanced status codes ---------------------------------------------- */

/* Exchange's reading of a code (its NDR tables, Exchange Online included),
 * where it is more specific than the registry or differs from it. A caller
 * of mt_enhanced_meaning has only the code, not who sent it, so where
 * Exchange gives a code a meaning the registry does not (5.1.4, 5.1.5,
 * 5.1.6, 5.1.10, 5.3.2, 5.4.1) the text names Exchange's reading first
 * and the registry's after it: the reader knows which server answered. */
static const char *exchange_meaning(int key)
{
    switch (key) {
    case ENH(2, 1, 0): return "the sender address was accepted";
    case ENH(2, 6, 0): return "the message was accepted and queued (Exchange: \"Queued mail for delivery\", or \"for redundancy\" for a shadow copy)";
    case ENH(2, 7, 0): return "authentication or another security step succeeded";
    case ENH(4, 3, 1): return "insufficient system resources: the receiving Exchange server is under back pressure (short of disk space or memory) and refuses new mail for now";
    case ENH(4, 3, 2): return "the receiving service does not take mail right now: a transport component is inactive or draining, a transport agent fails, or a mailbox gets too many messages at once";
    case ENH(4, 4, 1): return "connection timed out: the destination server did not answer, and Exchange keeps retrying until the message expires";
    case ENH(4, 4, 2): return "the connection was dropped during the session (network trouble, or a size or rate limit at the other end)";
    case ENH(4, 4, 7): return "the message is delayed in the queue (often DNS, send connector or smart host trouble); with a 4xx reply it is still retried, with a 5xx (Exchange: 550 4.4.7 QUEUE.Expired) it expired and bounces";
    case ENH(4, 4, 316): return "the destination server refused the connection (Exchange Online; the socket error is usually 10061)";
    case ENH(5, 1, 0): return "the sender was refused (Exchange: \"Sender denied\"), by sender filtering or because the sender address is stale or invalid";
    case ENH(5, 1, 1): return "the recipient does not exist at the destination (Exchange: RESOLVER.ADR.RecipNotFound); often a typo, or a stale address cached after a mailbox was recreated";
    case ENH(5, 1, 4): return "Exchange: the recipient's domain is reserved by RFC 2606 (example.com, .test, .invalid) and takes no mail; elsewhere (registry): the address is ambiguous, it matches more than one mailbox";
    case ENH(5, 1, 5): return "Exchange: the recipient's domain is reserved by RFC 2606 (example.com, .test, .invalid) and takes no mail (the registry's \"address valid\" fits only a success report)";
    case ENH(5, 1, 6): return "Exchange: the recipient's domain is a single label (no dot), which Exchange does not accept; elsewhere (registry): the mailbox has moved and left no forwarding address";
    case ENH(5, 1, 10): return "Exchange Online: the recipient was not found (RESOLVER.ADR.RecipientNotFound, no such address); elsewhere (registry): the recipient's domain publishes a null MX and takes no mail";
    case ENH(5, 1, 7): return "the sender address is invalid or missing (Exchange: \"Invalid address\" or \"Unknown sender address\")";
    case ENH(5, 1, 8): return "the sender is refused as a bad outbound sender, usually an account blocked for sending too much mail or spam";
    case ENH(5, 2, 1): return "the recipient's mailbox is disabled, or the Exchange content filter quarantined the message";
    case ENH(5, 2, 3): return "the message is larger than the recipient may receive (Exchange: RESOLVER.RST.RecipSizeLimit)";
    case ENH(5, 3, 0): return "a mail system error; Exchange reports it when a message caused too many related errors (a poison message)";
    case ENH(5, 3, 2): return "Exchange: the store driver could not deliver to the mailbox database (STOREDRV.Deliver: missing or bad MDB properties); elsewhere (registry): the system takes no network messages";
    case ENH(5, 3, 3): return "the mail system lacks a feature the message needs; Exchange says \"Unrecognized command\", often on a connector between Exchange servers without Exchange Server authentication";
    case ENH(5, 3, 4): return "the message is larger than the maximum message size of a server or connector";
    case ENH(5, 3, 5): return "the mail system is misconfigured; on Exchange usually a mail loop, because a connector points back at the sending server";
    case ENH(5, 4, 1): return "Exchange Online: recipient address rejected, access denied: the recipient does not exist in the receiving tenant (directory-based edge blocking); elsewhere (registry): no answer from the host";
    case ENH(5, 4, 4): return "the message cannot be routed: the recipient's domain does not exist in DNS (Exchange: SMTPSEND.DNS.NonExistentDomain)";
    case ENH(5, 4, 6): return "routing loop: the message passed through too many servers (hop count exceeded) and was stopped";
    case ENH(5, 5, 2): return "a command was malformed or came too early (Exchange: \"Send hello first\" when EHLO was skipped)";
    case ENH(5, 7, 1): return "delivery not authorised: the sender may not relay through this server, or may not send to this recipient (restricted recipient, or anonymous senders refused)";
    case ENH(5, 7, 3): return "not authorised: Exchange Server authentication (X-EXPS) could not be completed, often because a firewall blocks it; Exchange also answers a failed AUTH with 535 5.7.3";
    case ENH(5, 7, 12): return "Exchange Online: the recipient (usually a group) takes mail only from authenticated senders of its organisation (RequireSenderAuthenticationEnabled); registry, as 432 4.7.12: a password transition is needed";
    case ENH(5, 7, 54): return "unable to relay: this server does not take mail for the recipient's domain from this sender (Exchange Online: no connector or accepted domain covers it)";
    case ENH(5, 7, 57): return "the client must authenticate before sending (Exchange Online refuses anonymous submission here)";
    case ENH(5, 7, 64): return "relay access denied: Exchange Online could not tie the sending server to a tenant (check the inbound connector)";
    }
    return NULL;
}

/* Ranges Exchange Online assigns as a block rather than code by code. */
static const char *exchange_range_meaning(int c, int s, int d)
{
    if (c == 4 && s == 7 && d >= 500 && d <= 699)
        return "Exchange Online is throttling the sending server (\"Server busy\"), usually a new or low-reputation IP address";
    if (c == 5 && s == 7 && d >= 500 && d <= 699)
        return "Exchange Online's protection refused the sender: the sending IP address, domain or message failed its checks";
    if (c == 5 && s == 7 && d >= 700 && d <= 750)
        return "Exchange Online blocked the sending tenant or IP address (for example a spam or bulk threshold was exceeded)";
    if (c == 5 && s == 7 && d >= 900 && d <= 999)
        return "a mail flow (transport) rule in the receiving organisation refused the message";
    return NULL;
}

/* The IANA registry (RFC 3463 and later RFCs); the meanings apply to every
 * class. The "other or undefined" codes (x.y.0) are left to the class and
 * subject text below, which says the same thing more usefully. */
static const char *iana_meaning(int key)
{
    switch (key) {
    case SD(1, 1): return "the recipient's mailbox does not exist at the destination (bad mailbox address)";
    case SD(1, 2): return "the recipient's domain or mail system does not exist or does not take mail";
    case SD(1, 3): return "the recipient address is malformed";
    case SD(1, 4): return "the recipient address is ambiguous: it matches more than one mailbox";
    case SD(1, 5): return "the recipient address is valid";
    case SD(1, 6): return "the recipient's mailbox has moved and there is no forwarding address";
    case SD(1, 7): return "the sender address is malformed";
    case SD(1, 8): return "the sender's domain or mail system is not valid";
    case SD(1, 9): return "the message was passed to a mail system that cannot send delivery reports";
    case SD(1, 10): return "the recipient's domain publishes a null MX: it takes no mail";
    case SD(2, 1): return "the recipient's mailbox is disabled and takes no messages";
    case SD(2, 2): return "the recipient's mailbox is full (over its quota)";
    case SD(2, 3): return "the message is larger than the recipient's administrative size limit";
    case SD(2, 4): return "expanding a mailing list failed";
    case SD(3, 1): return "the mail system is out of storage";
    case SD(3, 2): return "the mail system takes no network messages right now (for example shutting down)";
    case SD(3, 3): return "the mail system lacks a feature the message requires";
    case SD(3, 4): return "the message is larger than the mail system's maximum message size";
    case SD(3, 5): return "the mail system is configured incorrectly";
    case SD(3, 6): return "the requested message priority was changed";
    case SD(4, 1): return "no answer from the destination host";
    case SD(4, 2): return "the connection to the destination was bad or broke";
    case SD(4, 3): return "a directory server such as DNS failed, so the destination could not be looked up";
    case SD(4, 4): return "the message cannot be routed to its destination (no usable DNS entry or route)";
    case SD(4, 5): return "the mail system is congested";
    case SD(4, 6): return "a routing loop was detected";
    case SD(4, 7): return "the delivery time expired before the message could be delivered";
    case SD(5, 1): return "the server got a command it does not know or did not expect";
    case SD(5, 2): return "a command had a syntax error";
    case SD(5, 3): return "the message has too many recipients";
    case SD(5, 4): return "a command had invalid arguments";
    case SD(5, 5): return "the two mail systems use incompatible protocol versions";
    case SD(5, 6): return "an authentication exchange line was too long";
    case SD(6, 1): return "the destination does not support the message's content type";
    case SD(6, 2): return "the message needs converting, but conversion is forbidden";
    case SD(6, 3): return "the message needs a conversion the mail system cannot do";
    case SD(6, 4): return "the message was delivered, but converting it lost some content";
    case SD(6, 5): return "converting the message content failed";
    case SD(6, 6): return "the message content is no longer available";
    case SD(6, 7): return "non-ASCII addresses are not allowed for this sender or recipient";
    case SD(6, 8): return "the reply must use UTF-8, but the client did not ask for SMTPUTF8";
    case SD(6, 9): return "a message with UTF-8 headers cannot be passed on to the recipient";
    case SD(7, 1): return "delivery not authorised: a policy refused the message";
    case SD(7, 2): return "the sender may not expand this mailing list";
    case SD(7, 3): return "a required security conversion is not possible";
    case SD(7, 4): return "the destination lacks the security features the message requires";
    case SD(7, 5): return "a cryptographic step (decryption or signature check) failed";
    case SD(7, 6): return "the message uses a cryptographic algorithm the destination does not support";
    case SD(7, 7): return "the message failed an integrity check";
    case SD(7, 8): return "authentication failed: wrong user name or password (invalid credentials)";
    case SD(7, 9): return "the authentication mechanism is too weak for this server";
    case SD(7, 10): return "encryption is required";
    case SD(7, 11): return "this authentication mechanism needs an encrypted connection";
    case SD(7, 12): return "a password transition is needed before this mechanism can be used";
    case SD(7, 13): return "the user account is disabled";
    case SD(7, 14): return "a trust relationship is required";
    case SD(7, 15): return "the message priority is too low";
    case SD(7, 16): return "the message is too big for its priority";
    case SD(7, 17): return "the mailbox owner has changed since the sender checked";
    case SD(7, 18): return "the domain owner has changed since the sender checked";
    case SD(7, 19): return "the requested owner check (RRVS) could not be completed";
    case SD(7, 20): return "no passing DKIM signature was found";
    case SD(7, 21): return "no acceptable DKIM signature was found";
    case SD(7, 22): return "no valid DKIM signature matching the author was found";
    case SD(7, 23): return "the SPF check failed: the sending server may not send for the sender's domain";
    case SD(7, 24): return "the SPF check could not be completed (a DNS error)";
    case SD(7, 25): return "the reverse DNS check of the sending server failed";
    case SD(7, 26): return "several sender authentication checks failed";
    case SD(7, 27): return "the sender's domain publishes a null MX: it sends no mail";
    case SD(7, 28): return "a flood of mail was detected";
    case SD(7, 29): return "the ARC validation failed";
    case SD(7, 30): return "the recipient requires REQUIRETLS support";
    }
    return NULL;
}

/* RFC 3463 class and subject: what is left when the detail is unknown.
 * Index: [class 2/4/5 as 0/1/2][subject 0..7, 8 = unknown subject]. */
static const char *const class_subject[3][9] = {
    {
        "success, with no further detail",
        "success concerning an address",
        "success concerning the mailbox",
        "success concerning the mail system",
        "success concerning network or routing",
        "success concerning the mail protocol",
        "success concerning the message content or its conversion",
        "success concerning security or policy",
        "success of an unknown kind",
    },
    {
        "temporary failure of an unspecified kind",
        "temporary problem with an address",
        "temporary problem with the recipient's mailbox",
        "temporary problem with the receiving mail system",
        "temporary network or routing problem",
        "temporary mail protocol problem",
        "temporary problem with the message content or its conversion",
        "temporary refusal by a security or policy check",
        "temporary failure of an unknown kind",
    },
    {
        "permanent failure of an unspecified kind",
        "permanent problem with an address",
        "permanent problem with the recipient's mailbox",
        "permanent problem with the receiving mail system",
        "permanent network or routing problem",
        "permanent mail protocol problem",
        "permanent problem with the message content or its conversion",
        "permanent refusal by a security or policy rule",
        "permanent failure of an unknown kind",
    },
};

static int class_index(int cls)
{
    return cls == 2 ? 0 : cls == 4 ? 1 : cls == 5 ? 2 : -1;
}

const char *mt_enhanced_meaning(int cls, int subject, int detail)
{
    int ci = class_index(cls);
    if (ci < 0)
        return "not a valid enhanced status code (the class must be 2, 4 or 5)";
    bool in_range = subject >= 0 && subject <= 999 && detail >= 0 && detail <= 999;
    const char *m = NULL;
    if (in_range) {
        m = exchange_meaning(ENH(cls, subject, detail));
        if (!m)
            m = exchange_range_meaning(cls, subject, detail);
        if (!m)
            m = iana_meaning(SD(subject, detail));
    }
    if (!m)
        m = class_subject[ci][subject >= 0 && subject <= 7 ? subject : 8];
    return m;
}

/* ---- verdicts ------------------------------------------------------------ */

/* Whether text t begins with the enhanced code 4.4.7 (as a 5xx reply
 * leaves it there: it is no enhanced code of that reply). */
static bool starts_with_447(mt_slice t)
{
    return t.n >= 5 && !memcmp(t.p, "4.4.7", 5) && (t.n == 5 || t.p[5] == ' ' || t.p[5] == ';');
}

/* Verdicts that depend on the reply's wording or on the pairing of basic
 * and enhanced code, not on one code alone. */
static const char *special_verdict(const struct mt_reply *r, bool enh)
{
    mt_slice t = reply_text(r);
    int c = enh ? r->enh_class : 0, s = r->enh_subject, d = r->enh_detail;

    if (enh && c == 5 && s == 7 && d == 1) {
        if (mentions_relay(t))
            return "permanent failure: relaying denied, this server will not pass the message on for this sender (not authenticated, or not an accepted domain); it bounces";
        if (contains_ci(t, "not authenticated"))
            return "permanent failure: the client was not authenticated, and this connector or recipient takes mail only from authenticated senders; the message bounces";
        return "permanent failure: delivery not authorised, the sender may not send to this recipient (restrictions, relay or permissions); the message bounces";
    }
    if (enh && c == 2 && s == 6 && d == 0) {
        if (contains_ci(t, "redundancy"))
            return "success: the server took a shadow copy for redundancy; the sending Exchange server stays responsible for delivery";
        return "success: the message was accepted and queued for delivery";
    }
    /* "250 2.0.0 Ok: queued as 4VqA1" (Postfix, and what Exchange logs of a
     * Postfix next hop) is the reply to the message itself, not to a command:
     * its generic 2.0.0 says no more than "accepted", the words say queued. */
    if (r->code == 250 && contains_ci(t, "queued as "))
        return "success: the message was accepted and queued for delivery";
    if (r->code / 100 == 4 && mentions_connection_limit(t))
        return "temporary failure: the server has as many connections open as it allows (from this sender, or in all) and refused this one; the sender will retry, and fewer connections at once help";
    if (enh && r->code == 432 && c == 4 && s == 3 && d == 2)
        return "temporary failure: the recipient's mailbox receives too many messages at once (Exchange throttling); the sender will retry";
    /* Exchange writes "550 4.4.7 QUEUE.Expired" into tracking logs: a class
     * that does not match the code, so the parser leaves 4.4.7 in the text.
     * Only the 5xx says it gave up: "451 4.4.7 Message delayed" is the same
     * enhanced code on a message still being retried. */
    if (r->code / 100 == 5 && (contains_ci(t, "QUEUE.Expired") || starts_with_447(t)))
        return "delivery gave up: the message expired in the queue after the retries failed; the sender gets an NDR";
    /* Exchange Online's directory-based edge blocking: "550 5.4.1 Recipient
     * address rejected: Access denied" names no network trouble, whatever
     * the registry says of x.4.1; the recipient is not in the tenant. */
    if (enh && c == 5 && s == 4 && d == 1 && (contains_ci(t, "recipient") || contains_ci(t, "access denied")))
        return "permanent failure: the recipient does not exist at the destination (Exchange Online: not in the receiving tenant); the message bounces, check the address";
    if (r->code == 530 && contains_ci(t, "STARTTLS"))
        return "permanent failure: the server requires TLS (STARTTLS) before this command";
    return NULL;
}

/* Session, TLS and auth replies read best from the basic code, whatever
 * enhanced code came with them (Exchange: "535 5.7.3 Authentication
 * unsuccessful", "221 2.0.0 Service closing transmission channel"); the
 * enhanced code there is mostly a generic x.0.0 or x.7.0. */
static bool basic_code_first(int code)
{
    switch (code) {
    case 220: case 221: case 235: case 334: case 354: case 454: case 530: case 534: case 535: case 538:
        return true;
    }
    return false;
}

static const char *enhanced_verdict(int key)
{
    switch (key) {
    case ENH(2, 1, 0): return "success: the sender address was accepted";
    case ENH(2, 1, 5): return "success: the recipient address was accepted";
    case ENH(4, 2, 2): return "temporary failure: the recipient's mailbox is full; the sender will retry";
    case ENH(4, 3, 1): return "temporary failure: the receiving server is short of resources (Exchange back pressure); the sender will retry";
    case ENH(4, 3, 2): return "temporary failure: the receiving service does not take mail right now (component inactive, draining or throttled); the sender will retry";
    case ENH(4, 4, 1): return "temporary failure: the destination server did not answer; the sender retries until the message expires";
    case ENH(4, 4, 2): return "temporary failure: the connection was dropped during the session; the sender will retry";
    case ENH(4, 4, 7): return "temporary failure: the message is delayed, the destination has not taken it yet; delivery is retried until the message expires";
    case ENH(4, 5, 3): return "temporary failure: too many recipients for one message; the sender sends the rest in another transaction";
    case ENH(5, 1, 0): return "permanent failure: the sender was refused (sender filtering, or an invalid sender address); the message bounces";
    case ENH(5, 1, 1): return "permanent failure: the recipient does not exist at the destination; the message bounces, check the address";
    case ENH(5, 1, 3): return "permanent failure: the recipient address is malformed; the message bounces";
    case ENH(5, 1, 10): return "permanent failure: the recipient was not found (Exchange Online), or its domain takes no mail (null MX); the message bounces, check the address";
    case ENH(5, 1, 7): return "permanent failure: the sender address is invalid or missing; the message is refused";
    case ENH(5, 1, 8): return "permanent failure: the sender is refused as a bad outbound sender (often blocked for spam or volume); the message bounces";
    case ENH(5, 2, 1): return "permanent failure: the recipient's mailbox is disabled, or the message was quarantined; it bounces";
    case ENH(5, 2, 2): return "permanent failure: the recipient's mailbox is full; the message bounces";
    case ENH(5, 2, 3): return "permanent failure: the message is larger than the recipient may receive; it bounces, send a smaller one";
    case ENH(5, 3, 3): return "permanent failure: the server did not take the command (Exchange: often a connector between Exchange servers without Exchange Server authentication)";
    case ENH(5, 3, 4): return "permanent failure: the message exceeds the maximum message size; it bounces, send a smaller one";
    case ENH(5, 3, 5): return "permanent failure: the mail system is misconfigured, usually a mail loop between connectors; the message bounces";
    case ENH(5, 4, 1): return "permanent failure: the recipient was refused (Exchange Online: no such recipient in the tenant), or the destination host did not answer; the message bounces";
    case ENH(5, 4, 4): return "permanent failure: the recipient's domain cannot be found or routed (no such domain in DNS); the message bounces";
    case ENH(5, 4, 6): return "permanent failure: the message went round in a loop (too many hops) and was stopped; it bounces";
    case ENH(5, 5, 2): return "permanent failure: a command was malformed or came out of order (for example no EHLO first); the command is refused";
    case ENH(5, 5, 3): return "permanent failure: too many recipients for one message; the extra recipients are refused";
    case ENH(5, 7, 3): return "permanent failure: not authorised, on Exchange usually Exchange Server authentication (X-EXPS) failed, for example blocked by a firewall";
    case ENH(5, 7, 8): return "permanent failure: authentication failed, wrong user name or password";
    case ENH(5, 7, 12): return "permanent failure: the recipient (often a group) takes mail only from authenticated senders of its own organisation, and this sender is not one; the message bounces (not a failure of this session's AUTH)";
    case ENH(5, 7, 54): return "permanent failure: relaying denied, the server does not take mail for this recipient's domain from this sender; it bounces";
    case ENH(5, 7, 57): return "permanent failure: the client must authenticate before sending; the message is refused";
    }
    return NULL;
}

static const char *enhanced_range_verdict(int c, int s, int d)
{
    if (c == 4 && s == 7 && d >= 500 && d <= 699)
        return "temporary failure: Exchange Online is throttling the sending server (server busy); the sender will retry";
    if (c == 5 && s == 7 && d >= 500 && d <= 699)
        return "permanent failure: Exchange Online's protection refused the sender (IP address, domain or reputation); the message bounces";
    if (c == 5 && s == 7 && d >= 700 && d <= 750)
        return "permanent failure: Exchange Online blocked the sending tenant or IP address; mail bounces until the block is lifted";
    if (c == 5 && s == 7 && d >= 900 && d <= 999)
        return "permanent failure: a mail flow (transport) rule refused the message; it bounces";
    return NULL;
}

/* Failures by enhanced class and subject; subject 0 says nothing, so the
 * basic code speaks instead. Index: [class 4/5 as 0/1][subject 1..7]. */
static const char *const failure_subject_verdict[2][8] = {
    {
        NULL,
        "temporary failure: a problem with an address; the sender will retry",
        "temporary failure: a problem with the recipient's mailbox; the sender will retry",
        "temporary failure: the receiving mail system has a problem; the sender will retry",
        "temporary failure: a network or routing problem; the sender will retry",
        "temporary failure: an SMTP protocol problem; the sender will retry",
        "temporary failure: a problem with the message content or its conversion; the sender will retry",
        "temporary failure: refused for now by a security or policy check; the sender will retry",
    },
    {
        NULL,
        "permanent failure: a problem with an address; the message bounces",
        "permanent failure: a problem with the recipient's mailbox; the message bounces",
        "permanent failure: the receiving mail system cannot take the message; it bounces",
        "permanent failure: a network or routing problem; the message bounces",
        "permanent failure: an SMTP protocol error (bad or out-of-order command); the command is refused",
        "permanent failure: the message content cannot be accepted or converted; it bounces",
        "permanent failure: refused by a security or policy rule; the message bounces",
    },
};

static const char *basic_verdict(int code)
{
    switch (code) {
    case 211: return "information: system status or a help reply";
    case 214: return "information: help text for a human reader";
    case 220: return "success: the server is ready (the greeting banner, or ready to start TLS after STARTTLS)";
    case 221: return "success: the server closes the connection normally at the end of the session";
    case 235: return "success: authentication accepted";
    case 250: return "success: the command was accepted";
    case 251: return "success: the recipient is not local; the server will forward the message";
    case 252: return "success: the server cannot verify the user but takes the message and will try to deliver it";
    case 334: return "in progress: the server sent an AUTH challenge and waits for the client's answer";
    case 354: return "in progress: the server waits for the message content, ended by a line holding only a dot";
    case 421: return "temporary failure: the server is closing the connection (shutting down, busy or limiting); the sender will retry";
    case 432: return "temporary failure: the account needs a password transition before this authentication method works";
    case 450: return "temporary failure: the mailbox is unavailable for now (busy, or held back by policy); the sender will retry";
    case 451: return "temporary failure: the server hit a local error while processing; the sender will retry";
    case 452: return "temporary failure: the server is short of storage (on Exchange usually back pressure) or got too many recipients; the sender will retry";
    case 454: return "temporary failure: TLS or authentication is unavailable right now; the sender will retry";
    case 455: return "temporary failure: the server cannot take these parameters right now; the sender will retry";
    case 500: return "permanent failure: the server did not recognise the command (syntax error or line too long)";
    case 501: return "permanent failure: the command's parameters or arguments are invalid";
    case 502: return "permanent failure: the server does not implement this command";
    case 503: return "permanent failure: commands came in the wrong order (for example RCPT before MAIL, or authentication needed first)";
    case 504: return "permanent failure: the server does not implement this command parameter";
    case 521: return "permanent failure: this host takes no mail at all; the message bounces";
    case 530: return "permanent failure: the server requires authentication first";
    case 534: return "permanent failure: the authentication mechanism is too weak for this server";
    case 535: return "permanent failure: authentication failed, wrong user name or password";
    case 538: return "permanent failure: this authentication mechanism needs an encrypted (TLS) connection";
    case 550: return "permanent failure: the mailbox is unavailable (does not exist, or access refused); the message bounces";
    case 551: return "permanent failure: the user is not local and the server will not forward; the message bounces";
    case 552: return "permanent failure: a storage limit was exceeded (message too big or mailbox full); the message bounces";
    case 553: return "permanent failure: the mailbox name is not allowed (bad address syntax); the message bounces";
    case 554: return "permanent failure: the transaction failed (at connection time: no SMTP service here); the message bounces";
    case 555: return "permanent failure: the MAIL FROM or RCPT TO parameters are not recognised";
    case 556: return "permanent failure: the domain takes no mail; the message bounces";
    }
    return NULL;
}

const char *mt_reply_verdict(const struct mt_reply *r)
{
    if (r == NULL)
        return "no reply: the server gave no answer";
    if (!is_reply_code(r->code))
        return "not an SMTP reply (codes run from 200 to 599)";
    bool enh = has_enhanced(r);
    const char *v = special_verdict(r, enh);
    if (v)
        return v;
    if (basic_code_first(r->code))
        return basic_verdict(r->code);
    if (enh) {
        v = enhanced_verdict(ENH(r->enh_class, r->enh_subject, r->enh_detail));
        if (!v)
            v = enhanced_range_verdict(r->enh_class, r->enh_subject, r->enh_detail);
        if (!v && r->enh_class != 2 && r->enh_subject >= 1 && r->enh_subject <= 7)
            v = failure_subject_verdict[r->enh_class == 4 ? 0 : 1][r->enh_subject];
        if (v)
            return v;
    }
    v = basic_verdict(r->code);
    if (v)
        return v;
    switch (r->code / 100) {
    case 2: return "success: the server accepted the command";
    case 3: return "in progress: the server waits for more input";
    case 4: return "temporary failure: the server refused for now; the sender will retry later";
    default: return "permanent failure: the server refused; the message bounces back to the sender";
    }
}

void mt_status_explain(mt_slice status, mt_slice dsn, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    struct mt_reply r;
    const char *said = status.n ? memmem(status.p, status.n, " said: ", 7) : NULL;
    if (said)
        status = mt_slice_make(said + 7, status.n - (size_t)(said + 7 - status.p));
    if (status.n && mt_reply_parse(status, &r)) {
        snprintf(buf, len, "%s", mt_reply_verdict(&r));
        return;
    }
    /* the code alone: "4.4.1", or Postfix's "5.1.1" for local(8)'s "unknown
     * user"; the meanings known for codes are mostly Exchange's, so a 4.x.x
     * is told by what Postfix does, a 5.x.x by the registry's class and
     * subject */
    int c = 0, sub = 0, det = 0;
    char tail;
    char code[16];
    if (!dsn.n || dsn.n >= sizeof code)
        return;
    memcpy(code, dsn.p, dsn.n);
    code[dsn.n] = '\0';
    if (sscanf(code, "%d.%d.%d%c", &c, &sub, &det, &tail) != 3)
        return;
    if (c == 4)
        snprintf(buf, len,
                 "no reply from the next host to quote (DSN %s): it could not be reached, looked up or talked to; "
                 "Postfix retries until the message expires in its queue",
                 code);
    else if (c == 5)
        snprintf(buf, len, "permanent failure (DSN %s, no reply quoted): %s; Postfix bounced it: the sender gets an NDR",
                 code, mt_enhanced_meaning(c, sub, det));
}

/* ---- Windows Sockets errors ---------------------------------------------- */

const char *mt_winsock_meaning(int code)
{
    switch (code) {
    case 10004: return "interrupted: the socket call was cancelled before it finished";
    case 10013: return "permission denied: the system refused access to the socket (port reserved by another program, or blocked by a firewall or antivirus)";
    case 10014: return "bad address: the program passed an invalid pointer to the socket call";
    case 10022: return "invalid argument: the socket call was used incorrectly";
    case 10024: return "too many open sockets: the process ran out of socket handles";
    case 10035: return "the operation would block; a non-blocking socket has to try again";
    case 10036: return "a blocking socket operation is already in progress";
    case 10037: return "the operation is already in progress on this socket";
    case 10038: return "not a socket: the handle does not refer to a socket";
    case 10047: return "address family not supported (for example IPv6 disabled on this server)";
    case 10048: return "address already in use: another process already listens on that local IP address and port, or no local ports are left";
    case 10049: return "address not available: the local IP address (for example a connector's source IP) does not exist on this server, or the target address is invalid";
    case 10050: return "network is down: this server's network stack or interface failed";
    case 10051: return "network unreachable: this server has no route to the destination network";
    case 10052: return "network reset: the connection broke because a keep-alive found the network path dead";
    case 10053: return "connection aborted by this server's own network stack (timeout or protocol error, often a local firewall or antivirus)";
    case 10054: return "connection reset by the remote side: the peer or a device in between closed it abruptly";
    case 10055: return "no buffer space: the server ran out of socket memory or ephemeral ports";
    case 10056: return "the socket is already connected";
    case 10057: return "not connected: data was sent or read on a connection that is not (or no longer) established";
    case 10058: return "the connection was already shut down in that direction, so nothing more can be sent";
    case 10060: return "connection timed out: the remote host did not answer in time (down, or a firewall silently drops the packets)";
    case 10061: return "connection refused: nothing listens on that port, or a firewall rejected it";
    case 10064: return "host is down: the remote host does not respond at all";
    case 10065: return "no route to host: the remote host cannot be reached from this server";
    case 10091: return "the network subsystem is not ready";
    case 10093: return "Windows Sockets was not initialised by the program";
    case 10101: return "the remote side is shutting the connection down gracefully";
    case 11001: return "host not found: DNS says the name does not exist";
    case 11002: return "DNS lookup failed for now (server failure or timeout); a later retry may work";
    case 11003: return "DNS lookup failed for good (the DNS server refused or could not answer the query)";
    case 11004: return "the name exists in DNS but has no record of the requested type (no address)";
    }
    return NULL;
}

/* ---- TLS handshake failures ---------------------------------------------- */

/* Exchange names the SecurityStatus (.NET) of the failed Schannel call; the
 * meanings are those of the SEC_E_ codes behind them. */
static const struct {
    const char *status;
    const char *meaning;
} tls_statuses[] = {
    { "NoCredentials", "the server that logged this has no certificate it can use for TLS (SEC_E_NO_CREDENTIALS); check that a valid, unexpired certificate with its private key is enabled for SMTP (Get-ExchangeCertificate)" },
    { "UnknownCredentials", "the certificate given to TLS could not be used (SEC_E_UNKNOWN_CREDENTIALS), most often its private key missing or unreadable by the transport service; check the SMTP certificate and its key, or renew it" },
    { "AlgorithmMismatch", "the two sides share no TLS version or cipher suite (SEC_E_ALGORITHM_MISMATCH); check the TLS versions and ciphers each allows (Schannel settings): TLS 1.2-only cannot talk to TLS 1.0-only" },
    { "IllegalMessage", "a handshake message came unexpected or malformed (SEC_E_ILLEGAL_MESSAGE); check the TLS versions and ciphers both sides allow, and any SMTP inspection on a firewall in between" },
    { "IncompleteMessage", "the handshake stopped part-way (SEC_E_INCOMPLETE_MESSAGE): the connection broke or a device in between cut it; check the network path and any SMTP inspection on firewalls" },
    { "CertExpired", "a certificate in the handshake has expired (SEC_E_CERT_EXPIRED); check the validity dates of both sides' certificates and renew the expired one" },
    { "UntrustedRoot", "the peer's certificate chains to an authority this server does not trust (SEC_E_UNTRUSTED_ROOT); check the certificate chain and the trusted root and intermediate certificates" },
    { "WrongPrincipal", "the name on the peer's certificate is not the name connected to (SEC_E_WRONG_PRINCIPAL); check the certificate's subject and alternative names against the host or connector FQDN" },
    { "CertUnknown", "the certificate could not be processed (SEC_E_CERT_UNKNOWN); check both sides' certificates: validity, chain and key usage" },
    { "InternalError", "the server's own TLS provider failed (SEC_E_INTERNAL_ERROR), often over a certificate or key it cannot use; check the SMTP certificate and the System event log for Schannel errors" },
};

static bool ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char *mt_tls_failure_meaning(mt_slice remark)
{
    static const char general[] = "no cause known here; check both sides' certificates (dates, a trusted issuer, the name connected to, a private key the transport service can read) and that both allow a common TLS version and cipher suite";
    const mt_slice key = MT_SLICE_LIT("error ");
    for (size_t i = 0; i + key.n <= remark.n; i++) {
        if (!mt_slice_eq_ci(mt_slice_make(remark.p + i, key.n), key))
            continue;
        size_t at = i + key.n, n = 0;
        while (at + n < remark.n && ascii_alnum(remark.p[at + n]))
            n++;
        mt_slice status = mt_slice_make(remark.p + at, n);
        for (size_t k = 0; k < sizeof tls_statuses / sizeof tls_statuses[0]; k++)
            if (mt_slice_eq_ci(status, mt_slice_cstr(tls_statuses[k].status)))
                return tls_statuses[k].meaning;
    }
    return general;
}

/* ---- failure classes ------------------------------------------------------ */

static const char *const class_names[MT_FC__COUNT] = {
    [MT_FC_OK] = "ok",
    [MT_FC_CONNECT_FAILED] = "connect-failed",
    [MT_FC_TLS_FAILED] = "tls-failed",
    [MT_FC_AUTH_FAILED] = "auth-failed",
    [MT_FC_REJECTED_SENDER] = "rejected-sender",
    [MT_FC_REJECTED_RECIPIENT] = "rejected-recipient",
    [MT_FC_RELAY_DENIED] = "relay-denied",
    [MT_FC_POLICY] = "policy",
    [MT_FC_SIZE] = "size",
    [MT_FC_BACK_PRESSURE] = "back-pressure",
    [MT_FC_TRANSIENT] = "transient",
    [MT_FC_PROTOCOL] = "protocol",
    [MT_FC_DROPPED] = "dropped",
    [MT_FC_PERMANENT] = "permanent",
    [MT_FC_UNAVAILABLE] = "unavailable",
};

const char *mt_failure_class_name(enum mt_failure_class fc)
{
    if ((unsigned)fc < MT_FC__COUNT && class_names[fc])
        return class_names[fc];
    return "unknown";
}

enum mt_failure_class mt_failure_class_lookup(const char *name)
{
    if (name == NULL)
        return MT_FC__COUNT;
    for (unsigned i = 0; i < MT_FC__COUNT; i++) {
        const char *k = class_names[i];
        if (k == NULL)
            continue;
        size_t j = 0;
        while (k[j] != '\0' && fold((unsigned char)name[j]) == fold((unsigned char)k[j]))
            j++;
        if (k[j] == '\0' && name[j] == '\0')
            return (enum mt_failure_class)i;
    }
    return MT_FC__COUNT;
}

enum cmd_kind { CMD_OTHER, CMD_MAIL, CMD_RCPT, CMD_AUTH, CMD_TLS };

/* The verb is the first word, so "MAIL FROM:<a@b>" works as well as "MAIL".
 * X-EXPS is Exchange's server-to-server AUTH, X-ANONYMOUSTLS its STARTTLS. */
static enum cmd_kind command_kind(const char *command)
{
    static const struct { const char *verb; enum cmd_kind kind; } verbs[] = {
        { "MAIL", CMD_MAIL },
        { "RCPT", CMD_RCPT },
        { "AUTH", CMD_AUTH },
        { "X-EXPS", CMD_AUTH },
        { "STARTTLS", CMD_TLS },
        { "X-ANONYMOUSTLS", CMD_TLS },
    };
    if (command == NULL)
        return CMD_OTHER;
    size_t n = 0;
    while (command[n] != '\0' && command[n] != ' ' && command[n] != ':' && command[n] != '\t')
        n++;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        const char *v = verbs[i].verb;
        size_t k = 0;
        while (k < n && v[k] != '\0' && fold((unsigned char)command[k]) == fold((unsigned char)v[k]))
            k++;
        if (k == n && v[k] == '\0')
            return verbs[i].kind;
    }
    return CMD_OTHER;
}

/* Authentication refusals wherever they appear: RFC 4954's codes, and 530
 * unless its enhanced code names something else ("530 5.7.1 Client was not
 * authenticated" is Exchange's relay and permission refusal). */
static bool is_auth_refusal(const struct mt_reply *r, bool enh)
{
    if (r->code == 535 || r->code == 534 || r->code == 538)
        return true;
    if (!enh || r->enh_subject == 0)
        return r->code == 530;
    /* x.7.8, 9, 11 are RFC 4954's authentication codes, when the reply
     * says so too: "554 5.7.9 Message not accepted for policy reasons"
     * (Yahoo's answer to DATA) is a policy refusal. RFC 4954's x.7.12 is
     * 432 4.7.12 only (a password transition); Exchange Online's "550
     * 5.7.12 Sender was not authenticated by organization" says
     * "authenticated" too, but refuses the message to a recipient (a group)
     * that takes mail only from senders of its organisation: a policy, not
     * our own AUTH failing. */
    if (r->enh_subject == 7 && r->enh_detail == 12)
        return r->code == 432;
    if (r->enh_subject == 7 && (r->enh_detail == 8 || r->enh_detail == 9 || r->enh_detail == 11))
        return r->code == 530 || mt_slice_contains_ci(reply_text(r), MT_SLICE_LIT("authenticat")) ||
               mt_slice_contains_ci(reply_text(r), MT_SLICE_LIT("credential")) ||
               mt_slice_contains_ci(reply_text(r), MT_SLICE_LIT("password"));
    return r->code == 530 && r->enh_subject == 7 && r->enh_detail == 0;
}

static bool mentions_throttling(mt_slice t)
{
    return mt_slice_contains_ci(t, MT_SLICE_LIT("limit exceeded")) || mt_slice_contains_ci(t, MT_SLICE_LIT("throttl"));
}

enum mt_failure_class mt_classify_reply(const struct mt_reply *r, const char *command)
{
    if (r == NULL)
        return MT_FC_DROPPED;  /* no final reply at all */
    if (!is_reply_code(r->code))
        return MT_FC_PROTOCOL;  /* the other side did not speak SMTP */
    if (r->code < 400)
        return MT_FC_OK;

    enum cmd_kind cmd = command_kind(command);
    bool enh = has_enhanced(r);
    bool temp = r->code < 500;

    if (cmd == CMD_TLS)
        return MT_FC_TLS_FAILED;
    if (cmd == CMD_AUTH || is_auth_refusal(r, enh))
        return MT_FC_AUTH_FAILED;

    /* A connection limit is the other side holding us back until fewer
     * connections are open, as back pressure and throttling do: retry
     * later, open fewer at once. Whatever code it came with -- 4.3.2,
     * 4.7.0 or none -- it is not the component shut down for maintenance
     * that "421 4.3.2 Service not active" (unavailable) is. */
    if (temp && mentions_connection_limit(reply_text(r)))
        return MT_FC_BACK_PRESSURE;

    /* An enhanced code is more specific than the basic code (RFC 3463), so
     * it decides; only the "other or undefined" subject x.0.z leaves the
     * decision to the basic code below. */
    if (enh && r->enh_subject != 0) {
        int c = r->enh_class, s = r->enh_subject, d = r->enh_detail;
        if (c == 5 && s == 7 && ((d == 1 && mentions_relay(reply_text(r))) || d == 54))
            return MT_FC_RELAY_DENIED;
        if (c == 5 && s == 7)
            return MT_FC_POLICY;
        if (c == 5 && s == 1) {
            /* x.1.7 and x.1.8 are about the sender by definition; Exchange
             * uses 5.1.0 for "Sender denied". The others name the
             * destination address, unless the reply answered MAIL. */
            if (d == 7 || d == 8 || cmd == CMD_MAIL || (d == 0 && cmd != CMD_RCPT))
                return MT_FC_REJECTED_SENDER;
            return MT_FC_REJECTED_RECIPIENT;
        }
        /* Exchange Online refuses a recipient its tenant lacks with "550
         * 5.4.1 Recipient address rejected: Access denied" (directory-based
         * edge blocking): an address refusal, not the registry's "no answer
         * from host", which no server answering RCPT can mean. */
        if (c == 5 && s == 4 && d == 1 &&
            (cmd == CMD_RCPT || contains_ci(reply_text(r), "recipient") || contains_ci(reply_text(r), "access denied")))
            return MT_FC_REJECTED_RECIPIENT;
        /* 4.3.1 is back pressure (disk, memory, queue); 4.3.2 is "service
         * not active" -- server components set inactive for maintenance, a
         * connector in the wrong service, a failing transport agent -- which
         * sends an admin to Get-ServerComponent, not to the disks; unless
         * it names a throttling limit (Exchange Online's "432 4.3.2
         * STOREDRV.Deliver; recipient thread limit exceeded"). */
        if (c == 4 && s == 3 && d == 1)
            return MT_FC_BACK_PRESSURE;
        if (c == 4 && s == 3 && d == 2)
            return mentions_throttling(reply_text(r)) ? MT_FC_BACK_PRESSURE : MT_FC_UNAVAILABLE;
        if (c == 5 && ((s == 3 && d == 4) || (s == 2 && d == 3)))
            return MT_FC_SIZE;
        if ((c == 5 && s == 5) || (r->code >= 500 && r->code <= 504))
            return MT_FC_PROTOCOL;  /* Exchange: "500 5.3.3 Unrecognized command" */
        return temp ? MT_FC_TRANSIENT : MT_FC_PERMANENT;
    }

    /* Back pressure from a server that sends no enhanced codes: a bare 452
     * ("insufficient system storage") to MAIL FROM refuses the whole
     * message, not one recipient. */
    if (r->code == 452 && cmd == CMD_MAIL)
        return MT_FC_BACK_PRESSURE;
    /* RFC 5321: "Service not available, closing transmission channel" */
    if (r->code == 421)
        return MT_FC_UNAVAILABLE;
    if (!temp && mentions_relay(reply_text(r)))
        return MT_FC_RELAY_DENIED;
    if (cmd == CMD_MAIL && (r->code == 550 || r->code == 553))
        return MT_FC_REJECTED_SENDER;
    if (cmd == CMD_RCPT && (r->code == 550 || r->code == 551 || r->code == 553))
        return MT_FC_REJECTED_RECIPIENT;
    if (r->code == 552)
        return MT_FC_SIZE;
    if (r->code >= 500 && r->code <= 504)
        return MT_FC_PROTOCOL;
    return temp ? MT_FC_TRANSIENT : MT_FC_PERMANENT;
}

size_t mt_status_key(mt_slice st, char *buf, size_t cap)
{
    struct mt_reply rp;
    int n;
    if (mt_reply_parse(st, &rp)) {
        if (rp.enh_class >= 0) {
            n = snprintf(buf, cap, "%d %d.%d.%d", rp.code, rp.enh_class, rp.enh_subject, rp.enh_detail);
        } else {
            /* An enhanced code whose class disagrees with the basic code
             * ("550 4.4.7 QUEUE.Expired", which Exchange writes) is not
             * taken as one, but it tells this failure from other 550s. */
            size_t i = 0;
            while (i < st.n && st.p[i] >= '0' && st.p[i] <= '9')
                i++;
            size_t b = i + 1, e = b, dots = 0;
            while (e < st.n && ((st.p[e] >= '0' && st.p[e] <= '9') || st.p[e] == '.'))
                dots += st.p[e++] == '.';
            if (i == 3 && b < st.n && st.p[i] == ' ' && dots == 2 && e - b >= 5 && e - b <= 11 &&
                st.p[b] >= '2' && st.p[b] <= '5' && st.p[b + 1] == '.' && st.p[e - 1] != '.' &&
                (e == st.n || st.p[e] == ' ' || st.p[e] == ';'))
                n = snprintf(buf, cap, "%d %.*s", rp.code, (int)(e - b), st.p + b);
            else
                n = snprintf(buf, cap, "%d", rp.code);
        }
        return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    }
    size_t k = st.n < 64 ? st.n : 64;
    if (k)
        memcpy(buf, st.p, k);
    return k;
}
