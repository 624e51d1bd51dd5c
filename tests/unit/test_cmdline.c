/*
** Unit tests of engine/cmdline: shell-like splitting without a shell, and
** placeholder expansion that keeps hostile values verbatim.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/cmdline.h"

static void expect_words(const char *line, int n, const char *const *want)
{
    char **w;
    char err[256];
    int got = cmdline_split(line, &w, err, sizeof err);
    if (got != n)
        print_error("'%s': %d words (%s)\n", line, got, got < 0 ? err : "");
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], want[i]);
    assert_null(w[n]);
    cmdline_free(w);
}

static void test_split(void **state)
{
    (void)state;
    expect_words("python3 train.py --lr {lr}", 4,
                 (const char *const[]){"python3", "train.py", "--lr", "{lr}"});
    expect_words("  a   'b c'  \"d \\\"e\\\" $x\"  f\\ g ", 4,
                 (const char *const[]){"a", "b c", "d \"e\" $x", "f g"});
    expect_words("x'y'\"z\"", 1, (const char *const[]){"xyz"});
    expect_words("sh -c 'echo $((1+2)); exit 3'", 3,
                 (const char *const[]){"sh", "-c", "echo $((1+2)); exit 3"});
    expect_words("''", 1, (const char *const[]){""});
}

static void expect_split_error(const char *line, const char *fragment)
{
    char **w;
    char err[256] = "";
    assert_int_equal(cmdline_split(line, &w, err, sizeof err), -1);
    if (!strstr(err, fragment))
        print_error("'%s': '%s'\n", line, err);
    assert_non_null(strstr(err, fragment));
}

static void test_split_errors(void **state)
{
    (void)state;
    expect_split_error("echo 'oops", "unterminated single");
    expect_split_error("echo \"oops", "unterminated double");
    expect_split_error("a | b", "without a shell");
    expect_split_error("a; b", "without a shell");
    expect_split_error("echo $(id)", "without a shell");
    expect_split_error("   ", "empty");
}

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "lr") == 0)
        return "0.001";
    if (strcmp(name, "mode") == 0)
        return "a b'; $(rm -rf /) \"q\"";
    return NULL;
}

static void test_expand(void **state)
{
    (void)state;
    char err[256];
    char *s = cmdline_expand("--lr={lr}", lookup, NULL, err, sizeof err);
    assert_string_equal(s, "--lr=0.001");
    free(s);
    s = cmdline_expand("{mode}", lookup, NULL, err, sizeof err);
    assert_string_equal(s, "a b'; $(rm -rf /) \"q\"");
    free(s);
    s = cmdline_expand("{{literal}} {lr}", lookup, NULL, err, sizeof err);
    assert_string_equal(s, "{literal} 0.001");
    free(s);
    s = cmdline_expand("", lookup, NULL, err, sizeof err);
    assert_string_equal(s, "");
    free(s);
    assert_null(cmdline_expand("{nope}", lookup, NULL, err, sizeof err));
    assert_non_null(strstr(err, "unknown placeholder {nope}"));
    assert_null(cmdline_expand("{lr", lookup, NULL, err, sizeof err));
    assert_non_null(strstr(err, "unclosed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
