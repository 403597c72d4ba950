/* SPDX-License-Identifier: MIT */
/* queued.h -- what a reply names as the queued message, for the session
 * assembler (a send session's replies to DATA/BDAT) and for the send links
 * (a SEND's source-context carries the same reply): the two must read it
 * alike to be matched. Private to the library. */
#ifndef MT_SMTP_QUEUED_H
#define MT_SMTP_QUEUED_H

#include "mailtrail/slice.h"

/* "InternalId=N" for Exchange's "[InternalId=N, Hostname=H]", ID for
 * "queued as ID", "<message-id>" for Exchange 2007/2010's "250 2.6.0
 * <message-id> Queued mail for delivery"; empty when the reply names none.
 * A view into reply. */
mt_slice mt_smtp_queued_id(mt_slice reply);

#endif
