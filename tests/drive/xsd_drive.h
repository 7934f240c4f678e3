/*++
/* NAME
/*	xsd_drive 3h
/* SUMMARY
/*	drive the xcrypt-smtpd protocol engine in-process
/* SYNOPSIS
/*	#include "xsd_drive.h"
/* DESCRIPTION
/*	See xsd_drive.c.
/*--*/
#include <xcrypt_smtpd.h>

typedef struct XSD_DRIVE {
    XSD_STATE *state;			/* the session under test */
    int     pipe[2];			/* client output: engine -> [1] -> [0] */
    VSTRING *to_client;			/* what the client received */
    VSTRING *to_smtpd;			/* what smtpd received */
} XSD_DRIVE;

extern void xsd_drive_init(const char *, int, const char *);
extern XSD_DRIVE *xsd_drive_create(const char *);
extern void xsd_drive_client(XSD_DRIVE *, const char *, ssize_t);
extern void xsd_drive_smtpd(XSD_DRIVE *, const char *, ssize_t);
extern void xsd_drive_collect(XSD_DRIVE *);
extern void xsd_drive_reset(XSD_DRIVE *);
extern void xsd_drive_fake_xcrypt(XSD_DRIVE *);
extern int xsd_drive_closing(XSD_DRIVE *);
extern void xsd_drive_free(XSD_DRIVE *);
