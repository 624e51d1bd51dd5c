/*
** Unit tests of engine/html: every character that could end an element, an
** attribute or a script is escaped; control characters are dropped.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "../../engine/html.h"

static void test_escapes(void **state)
{
    (void)state;
    hp_buf b;
    buf_init(&b);
    html_text(&b, "</script><img src=x onerror=\"alert('1')\"> & \x01\tok\n");
    assert_string_equal(buf_str(&b), "&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;1&#39;)"
                                     "&quot;&gt; &amp; \tok\n");
    buf_reset(&b);
    html_attr(&b, "a\"b'c<d>");
    assert_string_equal(buf_str(&b), "a&quot;b&#39;c&lt;d&gt;");
    buf_reset(&b);
    html_text(&b, NULL);
    assert_string_equal(buf_str(&b), "");
    /* UTF-8 passes through untouched */
    buf_reset(&b);
    html_text(&b, "\xc3\xa9t\xc3\xa9 \xe2\x96\x81");
    assert_string_equal(buf_str(&b), "\xc3\xa9t\xc3\xa9 \xe2\x96\x81");
    buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_escapes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
