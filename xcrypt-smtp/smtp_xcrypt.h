/*++
/* NAME
/*	smtp_xcrypt 3h
/* SUMMARY
/*	XCRYPT hook for the Postfix SMTP client
/* SYNOPSIS
/*	#include "smtp.h"
/* DESCRIPTION
/*	The interface between smtp(8)'s own source and smtp_xcrypt.c.
/*	smtp.h includes this file at its end (see the hook patch under
/*	xcrypt-smtp/patches/), so that every smtp(8) unit sees it.
/*--*/

 /*
  * Parameters of our own; everything else is smtp(8)'s. The key cache
  * parameters (VAR_XC_CACHE_DB, VAR_XC_KEY_LIFETIME) are in xcrypt.h.
  */
#define VAR_XS_SEC_LEVEL	"xcrypt_smtp_security_level"
#define DEF_XS_SEC_LEVEL	"may"
#define VAR_XS_POLICY_MAPS	"xcrypt_smtp_policy_maps"
#define DEF_XS_POLICY_MAPS	""
#define VAR_XS_SUITES		"xcrypt_smtp_suites"
#define DEF_XS_SUITES		"chacha20poly1305_2.1 chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0"

 /*
  * Server feature: the EHLO reply listed XCRYPT (suites in SMTP_XCRYPT).
  */
#define SMTP_FEATURE_XCRYPT	(1<<6)

 /*
  * Per-session state, in SMTP_SESSION's xcrypt member (opaque here).
  */
typedef struct SMTP_XCRYPT SMTP_XCRYPT;

extern void smtp_xcrypt_pre_init(void);
extern int smtp_xcrypt_ehlo(SMTP_SESSION *, const char *, char *, const char *);
extern int smtp_xcrypt_helo(SMTP_STATE *);
extern int smtp_xcrypt_active(SMTP_SESSION *);
extern const char *smtp_xcrypt_except(SMTP_SESSION *);
extern const char *smtp_xcrypt_sasl_service(void);
extern void smtp_xcrypt_session_free(SMTP_SESSION *);

/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/
