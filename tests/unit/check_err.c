/* check_err.c - tests of the shared error code names (common/err.c). */
#include <check.h>
#include <string.h>

#include "err.h"
#include "testutil.h"

START_TEST(every_code_has_a_distinct_name)
{
    int i, j;

    for (i = 0; i < OCDN_ERR_COUNT; i++) {
        const char *n = ocdn_err_str((enum ocdn_err)i);

        ck_assert_ptr_nonnull(n);
        ck_assert_msg(strcmp(n, "EUNKNOWN") != 0, "code %d has no name", i);
        ck_assert_msg(i == OCDN_OK || (n[0] == 'E' && strlen(n) > 1), "code %d: '%s'", i, n);
        for (j = 0; j < i; j++)
            ck_assert_msg(strcmp(n, ocdn_err_str((enum ocdn_err)j)) != 0,
                          "codes %d and %d are both '%s'", j, i, n);
    }
}
END_TEST

START_TEST(names_match_the_enum)
{
    ck_assert_str_eq(ocdn_err_str(OCDN_OK), "OK");
    ck_assert_str_eq(ocdn_err_str(OCDN_EINVAL), "EINVAL");
    ck_assert_str_eq(ocdn_err_str(OCDN_ENOTFOUND), "ENOTFOUND");
    ck_assert_str_eq(ocdn_err_str(OCDN_EEXIST), "EEXIST");
    ck_assert_str_eq(ocdn_err_str(OCDN_ECONFLICT), "ECONFLICT");
    ck_assert_str_eq(ocdn_err_str(OCDN_EFORBIDDEN), "EFORBIDDEN");
    ck_assert_str_eq(ocdn_err_str(OCDN_ENOMEM), "ENOMEM");
    ck_assert_str_eq(ocdn_err_str(OCDN_EIO), "EIO");
    ck_assert_str_eq(ocdn_err_str(OCDN_EDB), "EDB");
    ck_assert_str_eq(ocdn_err_str(OCDN_EBUSY), "EBUSY");
    ck_assert_str_eq(ocdn_err_str(OCDN_EUPSTREAM), "EUPSTREAM");
    ck_assert_str_eq(ocdn_err_str(OCDN_ETOOBIG), "ETOOBIG");
    ck_assert_str_eq(ocdn_err_str(OCDN_EUNAUTH), "EUNAUTH");
    /* A new code must be named here too. */
    ck_assert_int_eq(OCDN_ERR_COUNT, 13);
}
END_TEST

START_TEST(unknown_values)
{
    ck_assert_str_eq(ocdn_err_str(OCDN_ERR_COUNT), "EUNKNOWN");
    ck_assert_str_eq(ocdn_err_str((enum ocdn_err)(OCDN_ERR_COUNT + 1)), "EUNKNOWN");
    ck_assert_str_eq(ocdn_err_str((enum ocdn_err)1000), "EUNKNOWN");
    ck_assert_str_eq(ocdn_err_str((enum ocdn_err) - 1), "EUNKNOWN");
    ck_assert_str_eq(ocdn_err_str((enum ocdn_err) - 1000000), "EUNKNOWN");
}
END_TEST

static Suite *
err_suite(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("names");

    tcase_add_test(tc, every_code_has_a_distinct_name);
    tcase_add_test(tc, names_match_the_enum);
    tcase_add_test(tc, unknown_values);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(err_suite());
}
