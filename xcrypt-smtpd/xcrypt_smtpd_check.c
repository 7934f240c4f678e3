/*++
/* NAME
/*	xcrypt_smtpd_check 3
/* SUMMARY
/*	xcrypt-smtpd: what the smtpd pass service behind us runs with
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_check_pass_service(overrides)
/*	const XSD_OVERRIDE *overrides;
/* DESCRIPTION
/*	xsd_check_pass_service() reads $config_directory/master.cf at
/*	start-up and finds the \fBpass\fR service that the front end
/*	hands its clients to ($xcrypt_smtpd_pass_service).
/*
/*	The front end must end DATA and decide about XCRYPT exactly as
/*	that smtpd(8) does, so for each parameter in overrides (a null
/*	terminated table of name and string variable) a \fB-o
/*	name=value\fR (or \fB-o { name = value }\fR, or \fB-oname=value\fR,
/*	as master(8) and the daemon read them) on the pass service's line
/*	replaces the front
/*	end's own value (main.cf, or its own \fB-o\fR), and the change
/*	is logged. Values are expanded as main.cf values are.
/*
/*	An override flagged XSD_OVR_FLAG_SMTPD_ONLY names a setting
/*	that only the smtpd(8) behind us can apply (the front end can
/*	at most follow it): its value is the pass service's (its \fB-o\fR,
/*	else main.cf, else the default in the table), never the
/*	front end's own \fB-o\fR. When the front end's own master.cf
/*	line sets it (its value differs from main.cf's) to something
/*	else than the pass service runs with, the setting would be
/*	silently dropped: that is a fatal error that names it and says
/*	to set it on the pass service's line. XSD_OVR_FLAG_BOOL compares
/*	values as booleans.
/*
/*	A pass service that runs postscreen(8) is refused: xcrypt-smtpd
/*	cannot sit in front of postscreen (postscreen sees a local
/*	socket instead of the client, and answers 450 to everyone).
/*	postscreen(8) in front of xcrypt-smtpd works.
/* DIAGNOSTICS
/*	Fatal: the pass service runs postscreen(8); a pass-service-only
/*	setting on the front end's own line that the pass service does
/*	not have. Warning: no pass service of that name in master.cf.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <ctype.h>
#include <string.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <argv.h>
#include <vstring_vstream.h>
#include <stringops.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>
#include <dict.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

/* xsd_check_split - master.cf fields as master(8) splits them */

static ARGV *xsd_check_split(const char *entry)
{
    ARGV   *argv = argv_alloc(10);
    char   *saved = mystrdup(entry);
    char   *bp = saved;
    char   *cp;

    /*
     * As master_ent.c: white space separates, "{ ... }" groups (Postfix 3.0
     * "-o { name = value }"), and the braces are stripped.
     */
    while ((cp = mystrtokq(&bp, CHARS_SPACE, CHARS_BRACE)) != 0) {
	if (*cp == CHARS_BRACE[0]
	    && extpar(&cp, CHARS_BRACE, EXTPAR_FLAG_STRIP) != 0)
	    continue;				/* master(8) refuses it */
	argv_add(argv, cp, (char *) 0);
    }
    argv_terminate(argv);
    myfree(saved);
    return (argv);
}

/* xsd_check_entry - one master.cf entry: is it ours, and what does it say */

static int xsd_check_entry(const char *entry, const XSD_OVERRIDE *ovr)
{
    ARGV   *argv = xsd_check_split(entry);
    const XSD_OVERRIDE *op;
    const char *cmd;
    const char *opt;
    char   *setting;
    char   *name;
    char   *value;
    const char *eval;
    int     i;

    if (argv->argc < 8 || strcmp(argv->argv[0], var_xsd_pass_service) != 0
	|| strcmp(argv->argv[1], "pass") != 0) {
	argv_free(argv);
	return (0);
    }
    cmd = strrchr(argv->argv[7], '/') ? strrchr(argv->argv[7], '/') + 1 :
	argv->argv[7];
    if (strcmp(cmd, "postscreen") == 0)
	msg_fatal("%s = %s: that service runs postscreen(8), which cannot"
		  " work behind xcrypt-smtpd; put postscreen(8) in front of"
		  " xcrypt-smtpd instead (see README.postfix)",
		  VAR_XSD_PASS_SERVICE, var_xsd_pass_service);
    for (i = 8; i < argv->argc; i++) {

	/*
	 * "-o name=value", "-oname=value" (getopt), and "-o { name = value }"
	 * (braces gone already): the daemon takes all three.
	 */
	if (strcmp(argv->argv[i], "-o") == 0 && i + 1 < argv->argc)
	    opt = argv->argv[++i];
	else if (strncmp(argv->argv[i], "-o", 2) == 0 && argv->argv[i][2])
	    opt = argv->argv[i] + 2;
	else
	    continue;
	setting = mystrdup(opt);
	if (split_nameval(setting, &name, &value) == 0) {
	    for (op = ovr; op->name; op++) {
		if (strcmp(name, op->name) != 0)
		    continue;
		eval = mail_conf_eval(value);
		if (strcmp(eval, *op->value) != 0)
		    msg_info("%s = %s, as on the %s service (not \"%s\")",
			     op->name, eval, var_xsd_pass_service, *op->value);
		*op->value = mystrdup(eval);
	    }
	}
	myfree(setting);
    }
    argv_free(argv);
    return (1);
}

/* xsd_check_differ - do two values of one setting differ */

static int xsd_check_differ(const XSD_OVERRIDE *op, const char *a,
			            const char *b)
{
    if (op->flags & XSD_OVR_FLAG_BOOL)
	return ((strcasecmp(a, CONFIG_BOOL_YES) == 0)
		!= (strcasecmp(b, CONFIG_BOOL_YES) == 0));
    return (strcmp(a, b) != 0);
}

#define XSD_CHECK_MAIN_CF	"xcrypt_smtpd main.cf"

/* xsd_check_main_cf - the values of main.cf, without our own -o */

static char **xsd_check_main_cf(const XSD_OVERRIDE *ovr)
{
    char   *path = concatenate(var_config_dir, "/", "main.cf", (char *) 0);
    const XSD_OVERRIDE *op;
    const char *raw;
    char  **values;
    int     n;

    /*
     * The skeleton has already merged our -o settings into the
     * configuration: read main.cf once more to see what it says itself.
     */
    for (n = 0; ovr[n].name; n++)
	 /* void */ ;
    values = (char **) mymalloc(sizeof(*values) * (n + 1));
    if (dict_load_file_xt(XSD_CHECK_MAIN_CF, path) == 0)
	msg_fatal("open %s: %m", path);
    for (n = 0, op = ovr; op->name; op++, n++) {
	values[n] = 0;
	if ((op->flags & XSD_OVR_FLAG_SMTPD_ONLY) == 0)
	    continue;
	raw = dict_lookup(XSD_CHECK_MAIN_CF, op->name);
	values[n] = mystrdup(raw ? mail_conf_eval(raw) : op->def);
    }
    dict_unregister(XSD_CHECK_MAIN_CF);
    myfree(path);
    return (values);
}

/* xsd_check_smtpd_only - a setting that only the pass service applies */

static void xsd_check_smtpd_only(const XSD_OVERRIDE *op, char *ours,
				         char *main_cf)
{
    char   *pass = (*op->value != ours) ? *op->value : main_cf;

    /*
     * Our own value differs from main.cf's only by a -o on our master.cf
     * line. smtpd(8) would apply it on a stock "inet" line; behind us
     * nobody would. Say so, rather than run without it.
     */
    if (xsd_check_differ(op, ours, main_cf)
	&& xsd_check_differ(op, ours, pass))
	msg_fatal("%s = %s on this service's master.cf line would have no"
		  " effect: smtpd(8) runs as the %s service, with %s = %s;"
		  " set \"-o %s=%s\" on the %s service's master.cf line"
		  " instead (see README.postfix)",
		  op->name, ours, var_xsd_pass_service, op->name, pass,
		  op->name, ours, var_xsd_pass_service);

    /*
     * Nothing to store: either the pass service's own -o value is in
     * place already, or ours equals main.cf's (else the fatal above).
     */
}

/* xsd_check_pass_service - read the pass service's master.cf entry */

void    xsd_check_pass_service(const XSD_OVERRIDE *ovr)
{
    const XSD_OVERRIDE *op;
    char  **main_cf = xsd_check_main_cf(ovr);
    char  **ours;
    int     n;
    char   *path = concatenate(var_config_dir, "/", "master.cf", (char *) 0);
    VSTREAM *fp;
    VSTRING *line = vstring_alloc(200);
    VSTRING *entry = vstring_alloc(200);
    int     found = 0;

    for (n = 0; ovr[n].name; n++)
	 /* void */ ;
    ours = (char **) mymalloc(sizeof(*ours) * (n + 1));
    for (n = 0; ovr[n].name; n++)
	ours[n] = *ovr[n].value;

    if ((fp = vstream_fopen(path, O_RDONLY, 0)) == 0) {
	msg_warn("open %s: %m: cannot check service %s", path,
		 var_xsd_pass_service);
    } else {

	/*
	 * Logical lines: a line that starts with white space continues the
	 * one before; comments and empty lines end nothing.
	 */
	while (!found && vstring_get_nonl(line, fp) != VSTREAM_EOF) {
	    if (*vstring_str(line) == '#' || *vstring_str(line) == 0
	      || vstring_str(line)[strspn(vstring_str(line), CHARS_SPACE)] == 0)
		continue;
	    if (ISSPACE(*vstring_str(line))) {
		vstring_sprintf_append(entry, " %s", vstring_str(line));
		continue;
	    }
	    if (VSTRING_LEN(entry) > 0)
		found = xsd_check_entry(vstring_str(entry), ovr);
	    vstring_strcpy(entry, vstring_str(line));
	}
	if (!found && VSTRING_LEN(entry) > 0)
	    found = xsd_check_entry(vstring_str(entry), ovr);
	(void) vstream_fclose(fp);
	if (!found)
	    msg_warn("%s: no pass service \"%s\" (%s)", path,
		     var_xsd_pass_service, VAR_XSD_PASS_SERVICE);
    }
    for (n = 0, op = ovr; op->name; op++, n++) {
	if (op->flags & XSD_OVR_FLAG_SMTPD_ONLY) {
	    xsd_check_smtpd_only(op, ours[n], main_cf[n]);
	    myfree(main_cf[n]);
	}
    }
    myfree((void *) main_cf);
    myfree((void *) ours);
    vstring_free(line);
    vstring_free(entry);
    myfree(path);
}
