"""GET /registry/search: the partial the registration form swaps in."""

from tests.registry.helpers import Elements, entry
from xqr.services.registry import save_entries


async def test_matches_are_a_listbox_of_options_carrying_what_a_pick_fills_in(client):
    rows = [entry("长沙湘江机械制造有限公司", address="湖南省长沙市望城区金星北路 1 号"),
            entry("株洲湘江物流有限公司", "注销", division="430202", address="湖南省株洲市天元区 \"黄河\" <南路>")]
    await save_entries(rows)

    response = await client.get("/registry/search", params={"q": "湘江"}, htmx=True)

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    html = Elements(response.text)
    assert html.all("ul", role="listbox", id="registry-matches") and html.all("ul")[0]["aria-label"] == "匹配的企业"
    options = html.all("li", role="option")
    assert [o["id"] for o in options] == ["registry-option-0", "registry-option-1"]
    assert all(o["tabindex"] == "-1" for o in options)
    assert [(o["data-credit-code"], o["data-name"], o["data-address"], o["data-status"]) for o in options] == [
        (r.credit_code, r.name, r.address, r.status) for r in rows
    ]
    assert response.text.count("<mark>湘江</mark>") == 2
    assert "&#34;黄河&#34; &lt;南路&gt;" in response.text or "&quot;黄河&quot; &lt;南路&gt;" in response.text


async def test_a_code_prefix_is_marked_in_the_code(client):
    row = entry("长沙代码高亮有限公司")
    await save_entries([row])

    response = await client.get("/registry/search", params={"q": row.credit_code[:10]})

    assert f"<mark>{row.credit_code[:10]}</mark>{row.credit_code[10:]}" in response.text


async def test_no_match_says_so_inside_the_list_and_offers_no_option(client):
    response = await client.get("/registry/search", params={"q": "不存在的企业"}, htmx=True)

    assert response.status_code == 200
    html = Elements(response.text)
    # The root stays the listbox, so that the form's outerHTML swap finds #registry-matches next time.
    assert html.tags[0] == ("ul", {"role": "listbox", "id": "registry-matches", "aria-label": "匹配的企业", "class": "registry-matches"})
    assert not html.all("li", role="option")
    assert [attrs.get("class") for attrs in html.all("li")] == ["registry-empty"]
    assert "未找到匹配的企业（可手动填写）" in response.text


async def test_a_single_character_gets_an_empty_hidden_list(client):
    for query in ("长", "", " "):
        response = await client.get("/registry/search", params={"q": query})
        assert response.status_code == 200
        html = Elements(response.text)
        assert [tag for tag, _ in html.tags] == ["ul"]
        assert html.tags[0][1]["id"] == "registry-matches" and "hidden" in html.tags[0][1]


async def test_control_characters_and_odd_input_do_not_break_the_search(client):
    await save_entries([entry("长沙控制字符测试有限公司")])

    for query in ("长\x00沙", "长沙\t", "%_\\", "\U0010ffff\U0010ffff", "a" * 500):
        response = await client.get("/registry/search", params={"q": query})
        assert response.status_code == 200, query
    assert "长沙控制字符测试有限公司" in (await client.get("/registry/search", params={"q": "长\x00沙"})).text
