"""Reads the Superset dashboard as a person sees it: Debian's Chromium (headless, via Selenium and
chromedriver, both from the Superset environment / Debian), logged in, every chart rendered.

usage: python read_dashboard.py BASE_URL USER PASSWORD OUT_JSON
Writes {chart title: [[cell text, ...], ...]} (a table chart's rows) and the page's console errors.
Runs in .venv-superset (Selenium is one of Superset's own dependencies).
"""

import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1600,3000",
]
USERNAME = "input[name=username], #username"
PASSWORD = "input[name=password], #password"
SUBMIT = "button[type=submit], input[type=submit]"
TABLES = ["Executive summary", "Cohort net revenue retention (all accounts, months 0-12)", "At-risk renewals"]


def main(base: str, user: str, password: str, out: str) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        _log_in(driver, base, user, password)
        driver.get_log("browser")  # drains the login page's messages: only the dashboard's are judged
        driver.get(base + "/superset/dashboard/customer-retention/?standalone=1")
        charts = {}
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            charts = _tables(driver)
            if all(charts.get(title) for title in TABLES) and _line_chart_drawn(driver):
                break
            time.sleep(2)
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        driver.save_screenshot(out + ".png")
        with open(out, "w") as handle:
            json.dump({"tables": charts, "line_chart": _line_chart_drawn(driver), "console_errors": errors}, handle)
    finally:
        driver.quit()


def _log_in(driver, base: str, user: str, password: str, attempts: int = 3) -> None:
    """Log in through Superset's login form, as a person does.

    The form is a React page: a field found before the page has settled can be re-rendered empty,
    and the submit then stays on /login. So each attempt checks what the fields hold before it
    submits, and a failed attempt loads the page again; the last failure says what the page showed.
    """
    for attempt in range(1, attempts + 1):
        driver.get(base + "/login/")
        try:
            _wait(
                lambda: (
                    driver.find_elements(By.CSS_SELECTOR, USERNAME) and driver.find_elements(By.CSS_SELECTOR, SUBMIT)
                )
            )
            time.sleep(1)  # let the page finish rendering before typing into it
            for selector, value in ((USERNAME, user), (PASSWORD, password)):
                field = driver.find_elements(By.CSS_SELECTOR, selector)[0]
                field.clear()
                field.send_keys(value)
            if [driver.find_elements(By.CSS_SELECTOR, s)[0].get_attribute("value") for s in (USERNAME, PASSWORD)] != [
                user,
                password,
            ]:
                raise TimeoutError("the login form lost what was typed into it")
            driver.find_elements(By.CSS_SELECTOR, SUBMIT)[0].click()
            _wait(lambda: "/login" not in driver.current_url)
            return
        except (TimeoutError, StaleElementReferenceException) as error:
            if attempt == attempts:
                body = driver.find_elements(By.TAG_NAME, "body")
                shown = body[0].text[:600] if body else ""
                raise TimeoutError(
                    f"login failed {attempts} times ({error}); at {driver.current_url} the page showed: {shown!r}"
                ) from error


def _tables(driver) -> dict:
    """Each table chart's body rows, by the chart's title on the dashboard."""
    found = {}
    for holder in driver.find_elements(By.CSS_SELECTOR, ".dashboard-component-chart-holder"):
        titles = holder.find_elements(By.CSS_SELECTOR, ".header-title, [data-test=editable-title]")
        if not titles:
            continue
        rows = []
        for row in holder.find_elements(By.CSS_SELECTOR, "table tbody tr"):
            rows.append([cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")])
        found[titles[0].text.strip()] = rows
    return found


def _line_chart_drawn(driver) -> bool:
    return bool(
        driver.find_elements(
            By.CSS_SELECTOR, ".dashboard-component-chart-holder canvas, .dashboard-component-chart-holder svg path"
        )
    )


def _wait(ready, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get ready")
        time.sleep(0.5)


if __name__ == "__main__":
    main(*sys.argv[1:5])
