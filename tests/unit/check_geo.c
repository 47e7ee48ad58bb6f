/* check_geo.c - great-circle distances, the airport table loader and GeoLite2 lookups. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airport.h"
#include "geo.h"
#include "geoip.h"
#include "testutil.h"

#define GEOIP_DB     "var/data/GeoLite2-City.mmdb"
#define AIRPORTS_DB  "var/data/airports.json"
#define INSTALL_HINT "run scripts/install-deps.sh to fetch the data files into var/data/"

/* ---- haversine ---------------------------------------------------------------------------- */

START_TEST(distance_tls_cdg_airports)
{
    /* Airport reference points from airports.json; every great-circle calculator gives 605 km. */
    double d = geo_distance_km(43.629101, 1.36382, 49.0127983093, 2.54999995232);
    ck_assert_double_eq_tol(d, 605.5, 5.0);
}
END_TEST

START_TEST(distance_toulouse_paris_centres)
{
    /* City centres (Capitole, Notre-Dame): the ~590 km usually quoted for Toulouse-Paris. */
    double d = geo_distance_km(43.6047, 1.4442, 48.8566, 2.3522);
    ck_assert_double_eq_tol(d, 590.0, 5.0);
}
END_TEST

START_TEST(distance_jfk_lhr)
{
    double d = geo_distance_km(40.6398, -73.7789, 51.4706, -0.461941);
    ck_assert_double_eq_tol(d, 5540.0, 10.0);
}
END_TEST

START_TEST(distance_same_point_is_zero)
{
    ck_assert_double_eq(geo_distance_km(43.6, 1.36, 43.6, 1.36), 0.0);
}
END_TEST

START_TEST(distance_symmetric_and_antipodal)
{
    double a = geo_distance_km(10.0, 20.0, -35.0, 150.0);
    double b = geo_distance_km(-35.0, 150.0, 10.0, 20.0);
    ck_assert_double_eq(a, b);
    /* Half the circumference, and never NaN even when rounding pushes h above 1. */
    ck_assert_double_eq_tol(geo_distance_km(0.0, 0.0, 0.0, 180.0), M_PI * GEO_EARTH_RADIUS_KM,
                            1e-6);
    ck_assert_double_eq_tol(geo_distance_km(90.0, 0.0, -90.0, 0.0), M_PI * GEO_EARTH_RADIUS_KM,
                            1e-6);
    ck_assert(!isnan(geo_distance_km(45.0, 10.0, -45.0, -170.0)));
}
END_TEST

START_TEST(distance_across_antimeridian)
{
    /* 179.5 E to 179.5 W on the equator is 1 degree, not 359. */
    ck_assert_double_eq_tol(geo_distance_km(0.0, 179.5, 0.0, -179.5), 111.2, 0.1);
}
END_TEST

START_TEST(coords_valid_bounds)
{
    ck_assert(geo_coords_valid(0, 0));
    ck_assert(geo_coords_valid(-90, -180));
    ck_assert(geo_coords_valid(90, 180));
    ck_assert(!geo_coords_valid(90.0001, 0));
    ck_assert(!geo_coords_valid(0, -180.0001));
    ck_assert(!geo_coords_valid(NAN, 0));
    ck_assert(!geo_coords_valid(0, INFINITY));
}
END_TEST

/* ---- airports ----------------------------------------------------------------------------- */

START_TEST(airports_good_fixture)
{
    struct airports *ap = NULL;
    const struct airport *a;
    char err[256] = "";

    ck_assert_int_eq(airports_load(fixture_path("airport/good.json"), &ap, err, sizeof(err)),
                     OCDN_OK);
    /* TLS, CDG, NZF; the duplicate, code-less, lower-case and bad-coordinate entries skipped. */
    ck_assert_uint_eq(airports_count(ap), 3);
    a = airports_find(ap, "TLS");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->iata, "TLS");
    ck_assert_str_eq(a->name, "Toulouse-Blagnac Airport"); /* the first TLS entry wins */
    ck_assert_str_eq(a->city, "Toulouse");
    ck_assert_str_eq(a->country, "France");
    ck_assert_str_eq(a->tz, "Europe/Paris");
    ck_assert_double_eq_tol(a->lat, 43.629101, 1e-9);
    ck_assert_double_eq_tol(a->lon, 1.36382, 1e-9);
    a = airports_find(ap, "NZF");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(a->tz);
    ck_assert_str_eq(a->city, "");
    ck_assert_ptr_null(airports_find(ap, "LOR"));
    ck_assert_ptr_null(airports_find(ap, "LAT"));
    ck_assert_ptr_null(airports_find(ap, "tls"));
    ck_assert_ptr_null(airports_find(ap, "TL"));
    ck_assert_ptr_null(airports_find(ap, "TLSX"));
    ck_assert_ptr_null(airports_find(ap, "XYZ"));
    ck_assert_ptr_null(airports_find(ap, NULL));
    airports_free(ap);
}
END_TEST

/* Load a bad fixture: OCDN_EINVAL, nothing returned, and the reason mentions want. */
static void
expect_bad(const char *rel, const char *want)
{
    struct airports *ap = (struct airports *)&ap; /* must be cleared on entry */
    char err[256] = "";

    ck_assert_int_eq(airports_load(fixture_path(rel), &ap, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_ptr_null(ap);
    ck_assert_msg(strstr(err, want) != NULL, "%s: error \"%s\" lacks \"%s\"", rel, err, want);
}

START_TEST(airports_not_an_array)
{
    expect_bad("airport/not_array.json", "not a JSON array");
}
END_TEST

START_TEST(airports_bad_coordinates)
{
    expect_bad("airport/bad_coords.json", "no entry with");
}
END_TEST

START_TEST(airports_empty)
{
    expect_bad("airport/empty.json", "no entry with");
}
END_TEST

START_TEST(airports_truncated_json)
{
    expect_bad("airport/truncated.json", "truncated.json:1");
}
END_TEST

START_TEST(airports_missing_file)
{
    struct airports *ap = NULL;
    char err[256] = "";

    ck_assert_int_eq(airports_load("tests/data/airport/nonexistent.json", &ap, err, sizeof(err)),
                     OCDN_ENOTFOUND);
    ck_assert_ptr_null(ap);
    ck_assert_ptr_nonnull(strstr(err, "nonexistent.json"));
    airports_free(NULL);
}
END_TEST

START_TEST(airports_real_file)
{
    struct airports *ap = NULL;
    const struct airport *tls, *cdg;
    char err[256] = "";

    ck_assert_msg(access(AIRPORTS_DB, R_OK) == 0, "%s missing: %s", AIRPORTS_DB, INSTALL_HINT);
    ck_assert_int_eq(airports_load(AIRPORTS_DB, &ap, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_gt(airports_count(ap), 5000);
    tls = airports_find(ap, "TLS");
    cdg = airports_find(ap, "CDG");
    ck_assert_ptr_nonnull(tls);
    ck_assert_ptr_nonnull(cdg);
    ck_assert_str_eq(tls->tz, "Europe/Paris");
    ck_assert_str_eq(cdg->city, "Paris");
    ck_assert_double_eq_tol(geo_distance_km(tls->lat, tls->lon, cdg->lat, cdg->lon), 605.5, 5.0);
    airports_free(ap);
}
END_TEST

/* ---- GeoLite2 ----------------------------------------------------------------------------- */

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    memset(&a, 0, sizeof(a));
    if (inet_pton(AF_INET, s, a.bytes) == 1) {
        a.family = NET_V4;
    } else {
        ck_assert_int_eq(inet_pton(AF_INET6, s, a.bytes), 1);
        a.family = NET_V6;
    }
    return a;
}

static struct geoip *
open_db(void)
{
    struct geoip *g = NULL;
    char err[256] = "";

    ck_assert_msg(access(GEOIP_DB, R_OK) == 0, "%s missing: %s", GEOIP_DB, INSTALL_HINT);
    ck_assert_msg(geoip_open(GEOIP_DB, &g, err, sizeof(err)) == OCDN_OK, "%s", err);
    ck_assert_ptr_nonnull(g);
    return g;
}

START_TEST(geoip_known_addresses)
{
    struct geoip *g = open_db();
    struct geoip_loc loc;
    struct net_addr a;

    ck_assert_str_eq(geoip_db_type(g), "GeoLite2-City");
    a = addr("8.8.8.8");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_OK);
    ck_assert_str_eq(loc.country, "US");
    ck_assert(loc.has_coords);
    ck_assert(geo_coords_valid(loc.lat, loc.lon));
    a = addr("2001:4860:4860::8888");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_OK);
    ck_assert_str_eq(loc.country, "US");
    /* Bouygues Telecom's 176.128.0.0/11 from the seed, and RENATER. */
    a = addr("176.128.1.1");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_OK);
    ck_assert_str_eq(loc.country, "FR");
    ck_assert(loc.has_coords);
    ck_assert_double_eq_tol(loc.lat, 46.5, 5.5); /* somewhere in metropolitan France */
    ck_assert_double_eq_tol(loc.lon, 2.5, 7.0);
    a = addr("193.51.224.1");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_OK);
    ck_assert_str_eq(loc.country, "FR");
    geoip_close(g);
}
END_TEST

START_TEST(geoip_private_and_loopback_unknown)
{
    struct geoip *g = open_db();
    struct geoip_loc loc;
    struct net_addr a;

    a = addr("10.0.0.1");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_ENOTFOUND);
    ck_assert(!loc.has_coords);
    ck_assert_str_eq(loc.country, "");
    a = addr("127.0.0.1");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_ENOTFOUND);
    a = addr("::1");
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_ENOTFOUND);
    a.family = 0;
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_EINVAL);
    geoip_close(g);
}
END_TEST

START_TEST(geoip_missing_file_disables_geo)
{
    struct geoip *g = (struct geoip *)&g;
    struct geoip_loc loc;
    struct net_addr a = addr("8.8.8.8");
    char err[256] = "";

    ck_assert_int_eq(geoip_open("tests/data/nonexistent.mmdb", &g, err, sizeof(err)),
                     OCDN_ENOTFOUND);
    ck_assert_ptr_null(g);
    g = (struct geoip *)&g;
    ck_assert_int_eq(geoip_open_optional("tests/data/nonexistent.mmdb", &g, err, sizeof(err)),
                     OCDN_OK);
    ck_assert_ptr_null(g);
    ck_assert_int_eq(geoip_locate(g, &a, &loc), OCDN_ENOTFOUND);
    geoip_close(NULL);
}
END_TEST

START_TEST(geoip_not_an_mmdb_file)
{
    struct geoip *g = NULL;
    char err[256] = "";

    ck_assert_int_eq(geoip_open_optional(fixture_path("airport/good.json"), &g, err, sizeof(err)),
                     OCDN_EINVAL);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err, "good.json"));
}
END_TEST

static Suite *
geo_suite(void)
{
    Suite *s = suite_create("geo");
    TCase *tc;

    tc = tcase_create("distance");
    tcase_add_test(tc, distance_tls_cdg_airports);
    tcase_add_test(tc, distance_toulouse_paris_centres);
    tcase_add_test(tc, distance_jfk_lhr);
    tcase_add_test(tc, distance_same_point_is_zero);
    tcase_add_test(tc, distance_symmetric_and_antipodal);
    tcase_add_test(tc, distance_across_antimeridian);
    tcase_add_test(tc, coords_valid_bounds);
    suite_add_tcase(s, tc);

    tc = tcase_create("airports");
    tcase_add_test(tc, airports_good_fixture);
    tcase_add_test(tc, airports_not_an_array);
    tcase_add_test(tc, airports_bad_coordinates);
    tcase_add_test(tc, airports_empty);
    tcase_add_test(tc, airports_truncated_json);
    tcase_add_test(tc, airports_missing_file);
    tcase_add_test(tc, airports_real_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("geoip");
    tcase_add_test(tc, geoip_known_addresses);
    tcase_add_test(tc, geoip_private_and_loopback_unknown);
    tcase_add_test(tc, geoip_missing_file_disables_geo);
    tcase_add_test(tc, geoip_not_an_mmdb_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(geo_suite());
}
