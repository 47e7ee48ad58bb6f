#ifndef CP_API_HANDLERS_H
#define CP_API_HANDLERS_H

#include "http.h"

/* Every handler of the route table (routes.c), by resource file. */

/* api_misc.c */
api_fn api_healthz, api_metrics, api_config_view;
/* api_org.c */
api_fn api_org_create, api_org_list, api_org_get;
/* api_site.c */
api_fn api_site_create, api_site_list, api_site_get;
/* api_portal.c */
api_fn api_site_fill_window, api_site_consistency, api_oca_bgp, api_oca_bgp_kind, api_audit_list;
/* api_maint.c */
api_fn api_maint_create_oca, api_maint_create_site, api_maint_list, api_maint_list_oca,
    api_maint_list_site, api_maint_get, api_maint_cancel;
/* api_notif.c */
api_fn api_notif_list, api_notif_get, api_notif_ack;
/* api_oca.c */
api_fn api_oca_create, api_oca_list, api_oca_get, api_oca_decommission,
    api_oca_rotate_appliance_key, api_oca_rotate_sign_key, api_oca_routes;
/* api_key.c */
api_fn api_key_create, api_key_list, api_key_revoke;
/* api_file.c */
api_fn api_title_create, api_title_list, api_title_get, api_file_create, api_file_get;
/* api_report.c */
api_fn api_agent_report, api_agent_config;
/* api_steer.c */
api_fn api_steer, api_speedtest, api_route_explorer;

#endif
