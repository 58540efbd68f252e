"""The storefront (/) and the operator page (/ops) in a real browser: Debian's Chromium, headless,
driven by Selenium through Debian's chromium-driver, against a served HotCart
(scripts/browser-test.sh starts it, a second one whose Redis is down and a third whose Redis may
evict keys, and sets HOTCART_BASE_URL, HOTCART_BROKEN_URL, HOTCART_EVICTING_URL,
HOTCART_ADMIN_EMAIL, HOTCART_ADMIN_PASSWORD and HOTCART_PROMO_CODE).

A failing test leaves a screenshot in HOTCART_FAILURE_SCREENSHOTS. With HOTCART_SCREENSHOTS set,
the storefront and operator tests also save the README's screenshots there.
"""

import functools
import json
import os
import time
import unittest
import urllib.parse
import urllib.request
import uuid
from decimal import ROUND_HALF_UP, Decimal

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("HOTCART_BASE_URL", "http://127.0.0.1:31096")
# A server whose Redis is down: its pages load, its /readyz fails.
BROKEN = os.environ.get("HOTCART_BROKEN_URL", "http://127.0.0.1:31094")
# A server whose Redis has a maxmemory-policy that may evict keys.
EVICTING = os.environ.get("HOTCART_EVICTING_URL", "http://127.0.0.1:31092")
ADMIN_EMAIL = os.environ.get("HOTCART_ADMIN_EMAIL", "")
ADMIN_PASSWORD = os.environ.get("HOTCART_ADMIN_PASSWORD", "")
PROMO_CODE = os.environ.get("HOTCART_PROMO_CODE", "")
FAILURES = os.environ.get("HOTCART_FAILURE_SCREENSHOTS", "/tmp/hotcart-browser-failures")
SCREENSHOTS = os.environ.get("HOTCART_SCREENSHOTS")
WAIT = 10


def new_browser():
    """A headless Chromium at a phone-and-laptop friendly size, offline (no driver downloads)."""
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(20)
    browser.set_script_timeout(10)
    return browser


def screenshot_on_failure(test):
    """Saves the browser's screen as <test name>.png in FAILURES when the test fails."""
    @functools.wraps(test)
    def run(self):
        try:
            test(self)
        except BaseException:
            os.makedirs(FAILURES, exist_ok=True)
            for index, browser in enumerate(self.browsers):
                try:
                    browser.save_screenshot(os.path.join(FAILURES, f"{test.__name__}-{index}.png"))
                except Exception:  # noqa: BLE001 - the failure itself is what matters
                    pass
            raise
    return run


def api(method, path, token=None, json_body=None, form=None):
    """One request to the API from the test itself (setting up, or making traffic)."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(json_body).encode()
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            body = answer.read()
            return answer.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def refused_streams(base):
    """How many GET /cart/events the server at `base` has answered 503, from its /metrics."""
    with urllib.request.urlopen(base + "/metrics", timeout=5) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith('hotcart_http_requests_total{route="/cart/events",method="GET",status="503"}'):
                return int(float(line.rsplit(" ", 1)[1]))
    return 0


def shop_for(seconds):
    """Guest traffic for the operator page's charts: carts read, filled and summed."""
    deadline = time.monotonic() + seconds
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    while time.monotonic() < deadline:
        for product in range(1, 6):
            request = urllib.request.Request(BASE + "/cart/items", method="POST",
                                             data=json.dumps({"product_id": product, "quantity": 1}).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                opener.open(request, timeout=5).read()
                opener.open(BASE + "/cart", timeout=5).read()
                opener.open(BASE + "/cart/summary", timeout=5).read()
            except urllib.error.HTTPError:
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        time.sleep(0.05)


class Pages(unittest.TestCase):
    def setUp(self):
        self.browsers = []

    def tearDown(self):
        for browser in self.browsers:
            browser.quit()

    # Helpers

    def browser(self):
        browser = new_browser()
        self.browsers.append(browser)
        return browser

    def wait(self, browser, condition, message):
        # The page re-renders the cart on every change: an element read mid-render is read again.
        waiting = WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,))
        return waiting.until(lambda _: condition(), message)

    def open_store(self, browser):
        browser.get(BASE + "/")
        self.wait(browser, lambda: len(self.cards(browser)) >= 3, "the product grid did not fill")

    def cards(self, browser):
        return [card for card in browser.find_elements(By.CSS_SELECTOR, "#products li.card")
                if "Out of stock" not in card.text]

    def lines(self, browser):
        return browser.find_elements(By.CSS_SELECTOR, "#lines li")

    def add(self, card, quantity=1):
        field = card.find_element(By.CSS_SELECTOR, "input.quantity")
        field.clear()
        field.send_keys(str(quantity))
        card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def add_first_two(self, browser, first_quantity, second_quantity):
        """Adds the first two products to an empty cart, one after the other; their names."""
        first, second = self.cards(browser)[:2]
        names = [card.find_element(By.TAG_NAME, "h3").text for card in (first, second)]
        self.add(first, first_quantity)
        self.wait(browser, lambda: len(self.lines(browser)) == 1, "the first add did not show")
        self.add(second, second_quantity)
        self.wait(browser, lambda: len(self.lines(browser)) == 2, "the second add did not show")
        return names

    def quantities(self, browser):
        return {line.find_element(By.CSS_SELECTOR, ".name").text:
                int(line.find_element(By.CSS_SELECTOR, "output").text) for line in self.lines(browser)}

    def register_and_sign_in(self, browser):
        email = f"shopper-{uuid.uuid4().hex[:12]}@example.com"
        browser.find_element(By.ID, "email").send_keys(email)
        browser.find_element(By.ID, "password").send_keys("browser test password")
        browser.find_element(By.ID, "register-button").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "signed-in").is_displayed(), "no sign-in")
        self.assertEqual(browser.find_element(By.ID, "who").text, email)
        return email

    def save(self, browser, name):
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            browser.save_screenshot(os.path.join(SCREENSHOTS, name))

    # Tests

    @screenshot_on_failure
    def test_a_guest_adds_two_products_changes_a_quantity_and_keeps_them_after_a_reload(self):
        browser = self.browser()
        self.open_store(browser)
        names = self.add_first_two(browser, 1, 1)
        browser.find_element(By.CSS_SELECTOR, f"button[aria-label='One more {names[0]}']").click()
        self.wait(browser, lambda: self.quantities(browser).get(names[0]) == 2, "the quantity did not change")
        browser.refresh()
        self.wait(browser, lambda: self.quantities(browser) == {names[0]: 2, names[1]: 1},
                  "the cart was not the same after a reload")
        self.assertEqual(browser.find_element(By.ID, "total-items").text, "3")

    @screenshot_on_failure
    def test_registering_signs_in_and_shows_the_guest_cart_merged(self):
        browser = self.browser()
        self.open_store(browser)
        card = self.cards(browser)[3]
        name = card.find_element(By.TAG_NAME, "h3").text
        self.add(card, 2)
        self.wait(browser, lambda: self.quantities(browser) == {name: 2}, "the guest add did not show")
        self.register_and_sign_in(browser)
        self.wait(browser, lambda: "merged" in browser.find_element(By.ID, "account-note").text,
                  "no word of the merge")
        self.wait(browser, lambda: self.quantities(browser) == {name: 2}, "the merged cart is not shown")
        # The cart shown is the user's now: the API agrees.
        token = browser.execute_script("return localStorage.getItem('hotcart.token')")
        status, cart = api("GET", "/cart", token=token)
        self.assertEqual(status, 200)
        self.assertEqual([(item["product_name"], item["quantity"]) for item in cart["items"]], [(name, 2)])
        self.assertIsNotNone(cart["user_id"])

    @screenshot_on_failure
    def test_a_second_tab_shows_a_change_made_in_the_first_without_a_reload(self):
        browser = self.browser()
        self.open_store(browser)
        first_tab = browser.current_window_handle
        browser.switch_to.new_window("tab")
        self.open_store(browser)
        second_tab = browser.current_window_handle
        self.wait(browser, lambda: "Live" in browser.find_element(By.ID, "live").text, "the stream did not open")
        self.assertEqual(len(self.lines(browser)), 0)
        browser.switch_to.window(first_tab)
        card = self.cards(browser)[4]
        name = card.find_element(By.TAG_NAME, "h3").text
        self.add(card, 3)
        self.wait(browser, lambda: self.quantities(browser) == {name: 3}, "the add did not show")
        browser.switch_to.window(second_tab)
        self.wait(browser, lambda: self.quantities(browser) == {name: 3}, "the second tab did not follow")

    @screenshot_on_failure
    def test_a_display_currency_shows_the_prices_the_cart_and_the_checkout_in_it(self):
        # scripts/browser-test.sh offers JPY at 151.5 yen to the dollar.
        browser = self.browser()
        self.open_store(browser)
        picker = Select(browser.find_element(By.ID, "currency"))
        self.assertEqual([option.text for option in picker.options], ["USD", "JPY"])
        _, product = api("GET", "/products/" + self.cards(browser)[0].get_attribute("data-product-id"))
        yen = int((Decimal(str(product["price"])) * Decimal("151.5")).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        picker.select_by_value("JPY")
        price = lambda: self.cards(browser)[0].find_element(By.CSS_SELECTOR, ".price").text
        self.wait(browser, lambda: price() == f"¥{yen:,}", f"the price did not show as ¥{yen:,}")
        self.add(self.cards(browser)[0], 2)
        self.wait(browser, lambda: len(self.lines(browser)) == 1, "the add did not show")
        line = self.lines(browser)[0]
        self.assertEqual(line.find_element(By.CSS_SELECTOR, ".muted").text, f"¥{yen:,}")
        self.assertEqual(line.find_element(By.CSS_SELECTOR, ".line-total").text, f"¥{2 * yen:,}")
        self.assertEqual(browser.find_element(By.ID, "subtotal").text, f"¥{2 * yen:,}")
        browser.find_element(By.ID, "checkout-button").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "checkout-status").text == "reserved",
                  "the checkout was not reserved")
        self.assertEqual(browser.find_element(By.ID, "checkout-total").text, f"¥{2 * yen:,}")
        picker.select_by_value("USD")
        dollars = Decimal(str(product["price"])) * 2
        self.wait(browser, lambda: browser.find_element(By.ID, "checkout-total").text == f"${dollars:,.2f}",
                  "the checkout did not show in dollars again")
        self.assertEqual(price(), f"${Decimal(str(product['price'])):,.2f}")
        browser.find_element(By.ID, "checkout-cancel").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "subtotal").text == f"${dollars:,.2f}",
                  "the cancelled checkout's lines did not come back")

    @screenshot_on_failure
    def test_a_share_link_shows_the_cart_to_another_shopper_who_copies_it_into_theirs(self):
        sharer = self.browser()
        self.open_store(sharer)
        names = self.add_first_two(sharer, 2, 1)
        sharer.find_element(By.ID, "share-button").click()
        link = self.wait(sharer, lambda: sharer.find_elements(By.CSS_SELECTOR, "#share-link a"), "no share link")
        url = link[0].get_attribute("href")
        self.assertTrue(url.startswith(BASE + "/?share="), url)

        visitor = self.browser()
        visitor.get(url)
        shared = lambda: [line.text for line in visitor.find_elements(By.CSS_SELECTOR, "#shared-lines li")]
        self.wait(visitor, lambda: len(shared()) == 2, "the shared cart did not show")
        self.assertIn(f"{names[0]} × 2", shared()[0] + shared()[1])
        self.assertEqual(self.lines(visitor), [])
        visitor.find_element(By.ID, "shared-copy").click()
        self.wait(visitor, lambda: self.quantities(visitor) == {names[0]: 2, names[1]: 1},
                  "the shared lines did not come into the visitor's cart")
        self.assertEqual(visitor.find_element(By.ID, "shared-note").text, "Added to your cart.")
        self.assertEqual(self.quantities(sharer), {names[0]: 2, names[1]: 1}, "the sharer's cart changed")

    @screenshot_on_failure
    def test_a_promo_code_and_a_checkout_complete(self):
        browser = self.browser()
        self.open_store(browser)
        self.register_and_sign_in(browser)
        self.wait(browser, lambda: "Live" in browser.find_element(By.ID, "live").text,
                  "a signed-in tab's stream did not open")
        for card in self.cards(browser)[5:8]:
            self.add(card, 2)
        self.wait(browser, lambda: len(self.lines(browser)) == 3, "the adds did not show")
        browser.find_element(By.ID, "promo-code").send_keys(PROMO_CODE.lower())
        browser.find_element(By.ID, "promo-apply").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "discount").text not in ("$0.00", ""),
                  "the promo code gave no discount")
        total = browser.find_element(By.ID, "total").text
        self.save(browser, "storefront.png")
        browser.find_element(By.ID, "checkout-button").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "checkout-status").text == "reserved",
                  "the checkout was not reserved")
        self.assertEqual(browser.find_element(By.ID, "checkout-total").text, total)
        browser.find_element(By.ID, "checkout-complete").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "checkout-status").text == "completed",
                  "the checkout did not complete")
        self.wait(browser, lambda: len(self.lines(browser)) == 0, "the cart was not emptied by the checkout")

    @screenshot_on_failure
    def test_a_checkout_of_a_cart_changed_elsewhere_reserves_nothing_and_shows_it_again(self):
        browser = self.browser()
        self.open_store(browser)
        self.add(self.cards(browser)[0], 1)
        self.wait(browser, lambda: len(self.lines(browser)) == 1, "the add did not show")
        # Another tab adds a line before this tab hears of it (its live stream is stopped here).
        browser.execute_script("Store.stream.stop()")
        browser.execute_script(
            "return fetch('/cart/items', {method: 'POST', headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({product_id: Number(arguments[0]), quantity: 1})})",
            self.cards(browser)[1].get_attribute("data-product-id"))
        self.assertEqual(len(self.lines(browser)), 1)
        browser.find_element(By.ID, "checkout-button").click()
        error = browser.find_element(By.ID, "actions-error")
        self.wait(browser, lambda: "changed in another tab" in error.text, "the conflict was not shown")
        self.wait(browser, lambda: len(self.lines(browser)) == 2, "the changed cart was not shown again")
        self.assertTrue(browser.find_element(By.ID, "checkout").get_attribute("hidden"))
        browser.find_element(By.ID, "checkout-button").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "checkout-status").text == "reserved",
                  "the cart as shown again was not checked out")
        self.wait(browser, lambda: error.text == "", "the conflict stayed on the page")

    @screenshot_on_failure
    def test_a_quantity_changed_elsewhere_is_not_overwritten_from_the_old_figure(self):
        browser = self.browser()
        self.open_store(browser)
        card = self.cards(browser)[2]
        name = card.find_element(By.CSS_SELECTOR, "h3").text
        self.add(card, 2)
        self.wait(browser, lambda: self.quantities(browser) == {name: 2}, "the add did not show")
        # Another tab adds three more before this tab hears of it (its live stream is stopped).
        browser.execute_script("Store.stream.stop()")
        browser.execute_script(
            "return fetch('/cart/items', {method: 'POST', headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({product_id: Number(arguments[0]), quantity: 3})})",
            card.get_attribute("data-product-id"))
        line = self.lines(browser)[0]
        line.find_element(By.CSS_SELECTOR, "button[aria-label^='One more']").click()
        self.wait(browser, lambda: self.quantities(browser) == {name: 5},
                  "the other tab's quantity was not shown (or was overwritten with 3)")
        error = self.lines(browser)[0].find_element(By.CSS_SELECTOR, "p.error")
        self.wait(browser, lambda: "changed in another tab" in error.text, "the conflict was not shown")
        self.lines(browser)[0].find_element(By.CSS_SELECTOR, "button[aria-label^='One more']").click()
        self.wait(browser, lambda: self.quantities(browser) == {name: 6}, "the retried change did not apply")

    @screenshot_on_failure
    def test_an_api_error_is_shown_next_to_what_caused_it(self):
        browser = self.browser()
        self.open_store(browser)
        card = self.cards(browser)[0]
        self.add(card, 150)
        error = card.find_element(By.CSS_SELECTOR, "p.error")
        self.wait(browser, lambda: error.text != "", "no error was shown")
        self.assertEqual(error.text, "Quantity must be between 1 and 99")
        self.assertEqual(len(self.lines(browser)), 0)
        browser.find_element(By.ID, "promo-code").send_keys("NO-SUCH-CODE")
        browser.find_element(By.ID, "promo-apply").click()
        promo_error = browser.find_element(By.ID, "promo-error")
        self.wait(browser, lambda: promo_error.text != "", "no promo error was shown")
        self.assertIn("NO-SUCH-CODE", promo_error.text)

    @screenshot_on_failure
    def test_the_storefront_works_from_the_keyboard_at_phone_width(self):
        browser = self.browser()
        browser.set_window_size(390, 844)
        self.open_store(browser)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 0, "the page scrolls sideways at phone width")
        card = self.cards(browser)[9]
        name = card.find_element(By.TAG_NAME, "h3").text
        field = card.find_element(By.CSS_SELECTOR, "input.quantity")
        self.assertEqual(browser.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']").text,
                         "Quantity")
        field.clear()
        field.send_keys("2", Keys.ENTER)
        self.wait(browser, lambda: self.quantities(browser) == {name: 2}, "Enter in the quantity field did not add")
        more = browser.find_element(By.CSS_SELECTOR, f"button[aria-label='One more {name}']")
        more.send_keys(Keys.SPACE)
        self.wait(browser, lambda: self.quantities(browser) == {name: 3}, "Space on + did not add one")

    @screenshot_on_failure
    def test_live_updates_keep_asking_while_the_server_cannot_stream(self):
        # An EventSource answered 503 (Redis down) closes for good; the page opens another.
        before = refused_streams(BROKEN)
        browser = self.browser()
        browser.get(BROKEN + "/")
        self.wait(browser, lambda: refused_streams(BROKEN) >= before + 3, "the page stopped asking for live updates")
        self.assertEqual(browser.find_element(By.ID, "live").text, "Live updates reconnecting…")

    @screenshot_on_failure
    def test_the_operator_page_turns_red_when_the_server_is_not_ready(self):
        browser = self.browser()
        browser.get(BROKEN + "/ops")
        health = browser.find_element(By.ID, "health")
        self.wait(browser, lambda: health.text.startswith("NOT READY"), "the health line does not say not ready")
        self.assertIn("redis down", health.text)
        self.assertIn("unhealthy", browser.find_element(By.TAG_NAME, "body").get_attribute("class"))

    def operator_page(self, base):
        """The operator page of `base`, signed in, once it says the server is ready."""
        browser = self.browser()
        browser.get(base + "/ops")
        browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
        browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
        self.wait(browser, lambda: browser.find_element(By.ID, "dashboard").is_displayed(), "no dashboard")
        self.wait(browser, lambda: browser.find_element(By.ID, "health").text.startswith("Ready"),
                  "the health line does not say ready")
        return browser

    @screenshot_on_failure
    def test_the_operator_page_warns_when_redis_may_evict(self):
        browser = self.operator_page(EVICTING)
        warning = browser.find_element(By.ID, "eviction-warning")
        self.wait(browser, warning.is_displayed, "no warning that Redis may evict")
        self.assertIn("noeviction", warning.text)

    @screenshot_on_failure
    def test_z_the_operator_page_shows_request_rates_after_the_traffic(self):
        browser = self.operator_page(BASE)

        def rates():
            entries = browser.find_elements(By.CSS_SELECTOR, "#rate-legend li")
            return {entry.text.rsplit(": ", 1)[0]: float(entry.text.rsplit(": ", 1)[1]) for entry in entries}

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(value > 0 for value in rates().values()):
            for _ in range(20):
                api("GET", "/cart/summary")
            time.sleep(0.5)
        busy = {route: value for route, value in rates().items() if value > 0}
        self.assertTrue(busy, f"no route shows a request rate: {rates()}")
        self.assertIn("GET /cart/summary", busy)
        self.wait(browser, lambda: browser.find_element(By.ID, "conversion").text != "", "no conversion figures")
        self.assertFalse(browser.find_element(By.ID, "eviction-warning").is_displayed())
        if SCREENSHOTS:
            # A picture worth looking at: half a minute of shoppers on the charts.
            shop_for(30)
        self.save(browser, "ops.png")


if __name__ == "__main__":
    unittest.main(verbosity=2)
