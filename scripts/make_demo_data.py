#!/usr/bin/env python3
# ruff: noqa: E501
# (long lines are data: the texts of the posts)
"""Generate the bundled demo dataset of social-care.

All texts below are original, written for the project (fictional shop "Acme", X handle @acmeshop,
Facebook Page "Acme"). The committed files under ``social_care/demo/data/`` are the source of truth;
this script reproduces them byte for byte:

    python scripts/make_demo_data.py            # (re)write posts.jsonl and page_posts.json
    python scripts/make_demo_data.py --check    # exit 1 if the committed files differ
    python scripts/make_demo_data.py --stats    # print the counts used in the data README

Posts are written grouped by language; ids (d001, ...) are assigned in arrival order
(``at_minute``, then the order written here), thread labels become t1, t2, ... in order of first
appearance, and ``parent`` labels are resolved to ids.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "social_care" / "demo" / "data"

PAGE_POSTS = [
    {
        "id": "p1",
        "message": "☀️ SUMMER SALE is ON! Up to 40% off sneakers, linen shirts and beach towels until Sunday midnight. "
        "Free shipping on orders over €60 / $65. Shop now at acme-shop.example 🛍️",
        "at_minute": -10080,
    },
    {
        "id": "p2",
        "message": "Meet the Acme Runner 2 👟 Lighter sole, recycled knit upper, 6 colours. Sizes EU 36–47. "
        "Which colour are you getting? 👇",
        "at_minute": -7200,
    },
    {
        "id": "p3",
        "message": "🌍 Big news: we now ship to Brazil, Mexico, India, the UAE and South Korea! Delivery in 5–10 "
        "business days, duties shown at checkout. Tell us where you'd like us to ship next.",
        "at_minute": -5760,
    },
    {
        "id": "p4",
        "message": "Heads-up 📦 We're moving to a bigger warehouse this week. Some orders may take 1–2 extra days "
        "to leave us. Thanks for your patience, we'll make it worth it!",
        "at_minute": -4320,
    },
    {
        "id": "p5",
        "message": "New in HOME 🏡 Stonewashed linen bedding, hand-glazed mugs and the softest waffle towels. "
        "Made to last, priced to love.",
        "at_minute": -2880,
    },
    {
        "id": "p6",
        "message": "🎁 GIVEAWAY! Win a pair of Acme Pulse wireless earbuds. Follow the Page, like this post and "
        "tag a friend in the comments. Winner announced Friday. Good luck!",
        "at_minute": -1440,
    },
    {
        "id": "p7",
        "message": "📱 The new Acme app (v5.0) is here: faster checkout, Apple Pay / Google Pay, order tracking "
        "in one tap. Update now from your app store.",
        "at_minute": -600,
    },
    {
        "id": "p8",
        "message": "Need help with an order? 💬 Message us here on Messenger, every day 8:00–22:00 CET. Have "
        "your order number ready (it starts with #A) and we'll sort it out.",
        "at_minute": -90,
    },
]

CHANNELS = {"xm": "x.mention", "xd": "x.dm", "fc": "facebook.comment", "fm": "facebook.messenger",
            "ic": "instagram.comment", "id": "instagram.dm", "xs": "x.search"}
EXPECT = {"neg": "negative", "neu": "neutral", "pos": "positive"}

AUTHORS: dict[str, dict] = {}
POSTS: list[dict] = []


def xa(author_id: str, handle: str, name: str, followers: int) -> str:
    """Register an X author and return its id."""
    AUTHORS[author_id] = {"id": author_id, "handle": handle, "name": name, "followers": followers}
    return author_id


def fa(author_id: str, name: str) -> str:
    """Register a Facebook author and return its id."""
    AUTHORS[author_id] = {"id": author_id, "name": name}
    return author_id


def ia(author_id: str, handle: str, name: str) -> str:
    """Register an Instagram author and return its id."""
    AUTHORS[author_id] = {"id": author_id, "handle": handle, "name": name}
    return author_id


def add(lang, ch, author, minute, expect, category, kind, text, *, thread=None, post=None, parent=None, key=None):
    POSTS.append(
        {
            "lang": lang,
            "channel": CHANNELS[ch],
            "author": author,
            "at_minute": minute,
            "expect": EXPECT[expect],
            "category": category,
            "kind": kind,
            "text": text,
            "thread": thread,
            "post": post,
            "parent": parent,
            "key": key,
        }
    )


# Shorthands for the categories.
DEL, REF, DAM, CS, ACC, OTH = "delivery", "refund", "damaged", "customer_service", "account", "other"


# ---------------------------------------------------------------------------------------------
# English: X mentions
# ---------------------------------------------------------------------------------------------
L = "en"
priya = xa("x-1001", "priyaraman_", "Priya Raman", 340)
tom = xa("x-1002", "tombecker88", "Tom Becker", 95)
keisha = xa("x-1003", "keishawill", "Keisha Williams", 1210)
oliver = xa("x-1004", "olivergrant_", "Oliver Grant", 410)
hannah = xa("x-1005", "hannahcole", "Hannah Cole", 230)
daniel = xa("x-1006", "danmensah", "Daniel Mensah", 780)
chloe = xa("x-1007", "chloemartinn", "Chloe Martin", 150)
ryan = xa("x-1008", "ryanoc", "Ryan O'Connor", 60)
sofia = xa("x-1009", "sofialq", "Sofia Lindqvist", 520)
marcus = xa("x-1010", "marcushill", "Marcus Hill", 2300)
jordan = xa("x-1011", "jordantechtalk", "Jordan Lee | TechTalk", 184000)
aisha = xa("x-1012", "aishabello_", "Aisha Bello", 330)
ben = xa("x-1013", "bencarter", "Ben Carter", 44)
zoe = xa("x-1014", "zoepalmer", "Zoe Palmer", 210)
nadia = xa("x-1015", "nadiahussain", "Nadia Hussain", 890)
liam = xa("x-1016", "liammurphy_", "Liam Murphy", 120)
emily = xa("x-1017", "emnguyen", "Emily Nguyen", 310)
fergus = xa("x-1018", "fergwalsh", "Fergus Walsh", 75)
sandra = xa("x-1019", "sandyprice", "Sandra Price", 58)
ahmed = xa("x-1020", "ahmedk_", "Ahmed Khan", 400)
lucy = xa("x-1021", "lucyevans", "Lucy Evans", 95)
jack = xa("x-1022", "jackt_", "Jack Thompson", 180)
olivia = xa("x-1023", "livbrooks", "Olivia Brooks", 660)
samuel = xa("x-1024", "samadeyemi", "Samuel Adeyemi", 270)
megan = xa("x-1025", "megscott", "Megan Scott", 140)
harry = xa("x-1026", "hwilson", "Harry Wilson", 330)
ella = xa("x-1027", "ellarobin", "Ella Robinson", 510)
rachel = xa("x-1028", "racheladams", "Rachel Adams", 90)
connor = xa("x-1029", "connorh", "Connor Hayes", 45)

add(L, "xm", priya, 4, "neg", DEL, "complaint",
    "@acmeshop great, third week waiting for my parcel 🙃 tracking still says 'label created'. love that for me")
add(L, "xm", tom, 9, "neg", OTH, "complaint",
    "@acmeshop not happy at all. Ordered a navy hoodie size M, got a pink one in XS. How does that even happen?")
add(L, "xm", keisha, 15, "neg", DEL, "complaint",
    "@acmeshop my order says delivered but there's nothing at my door. neighbours don't have it either. where is it??",
    thread="keisha_public")
add(L, "xm", oliver, 27, "neg", DAM, "complaint",
    "@acmeshop the ceramic mugs arrived in pieces. literally a bag of shards. packed in a paper envelope 🤦")
add(L, "xm", hannah, 33, "neg", REF, "complaint",
    "@acmeshop still waiting on my refund for the returned sneakers, it's been 24 days. you said 5-7 business days.",
    thread="hannah_chain", key="hannah1")
add(L, "xm", daniel, 41, "neg", REF, "complaint",
    "@acmeshop charged TWICE for the same order, €89.90 x2 on my card statement. Please fix this today.",
    thread="daniel_public")
add(L, "xm", chloe, 48, "neg", OTH, "complaint",
    "@acmeshop your coupon SUMMER40 doesn't work. 'code not valid' every time. The sale post literally says until Sunday 🤨")
add(L, "xm", ryan, 52, "neg", ACC, "complaint",
    "@acmeshop can't log in to my account, password reset email never comes. checked spam. tried 4 times.",
    thread="ryan_public")
add(L, "xm", sofia, 58, "neg", OTH, "complaint",
    "@acmeshop app crashed 3 times at checkout and now I don't know if I paid or not. v5.0 is a mess")
add(L, "xm", marcus, 63, "neg", CS, "complaint",
    "@acmeshop your support agent literally closed my chat while I was typing. Second time this week. "
    "Is anyone actually working there?")
add(L, "xm", jordan, 70, "neg", DAM, "complaint",
    "@acmeshop ordered the Pulse earbuds for a review, left bud is dead out of the box. Not a great look for a "
    "brand that sponsors half of tech YouTube.")
add(L, "xm", aisha, 77, "neg", DEL, "complaint",
    "@acmeshop lost parcel, 2nd time in two months. Tracking stuck on 'in transit' since the 3rd. I'm done.")
add(L, "xm", ben, 83, "neg", OTH, "complaint",
    "@acmeshop you sent me ONE shoe. one. size 42. what am I supposed to do with one shoe",
    thread="ben_chain", key="ben1")
add(L, "xm", zoe, 88, "neg", OTH, "complaint",
    "@bencarter @acmeshop happened to me too in March, they sent the other one 2 weeks later 🙄",
    thread="ben_chain", parent="ben1")
add(L, "xm", nadia, 96, "neg", CS, "complaint",
    "@acmeshop 3 emails, 2 DMs, zero answers. order #A10455. hello?")
add(L, "xm", liam, 104, "neg", DEL, "complaint",
    "@acmeshop delivery window was 'today 8am-6pm'. it's 9pm. nobody came. took a day off work for this.")
add(L, "xm", emily, 140, "neg", DAM, "complaint",
    "@acmeshop the linen duvet cover shrank like 15cm after ONE wash at 30°. following the care label exactly.")
add(L, "xm", fergus, 147, "neg", REF, "complaint",
    "@acmeshop why is there a €12 customs fee on delivery when checkout said duties included??")
add(L, "xm", ben, 150, "neu", OTH, "followup_answer",
    "@acmeshop ok got your DM, you're sending the other shoe. fine. keeping an eye on this",
    thread="ben_chain", parent="ben1")
add(L, "xm", sandra, 160, "neg", CS, "complaint",
    "@acmeshop worst online shopping experience I've had in years. wrong size, slow refund, rude chat. never again.")
add(L, "xm", ahmed, 168, "neg", DEL, "complaint",
    "@acmeshop is it normal that my order has been 'processing' for 9 days? no email, nothing.")
add(L, "xm", lucy, 175, "neg", DAM, "complaint", "@acmeshop the zip on my backpack broke on day 2 🙃 quality")
add(L, "xm", jack, 183, "neg", OTH, "complaint",
    "@acmeshop phone case arrived but it's for an iPhone 13 not the 15 I ordered. that's the wrong item mate")
add(L, "xm", olivia, 190, "neg", CS, "complaint", "@acmeshop I've been on hold for 47 minutes. 47.")
add(L, "xm", samuel, 197, "neg", ACC, "complaint",
    "@acmeshop My account got locked after the app update and the unlock link says 'expired'. Please help, my "
    "open order is in there")
add(L, "xm", hannah, 200, "pos", REF, "followup_answer",
    "@acmeshop update: refund finally landed today. thanks for chasing it 👍", thread="hannah_chain", parent="hannah1")
add(L, "xm", megan, 205, "neg", REF, "complaint",
    "@acmeshop refund 'processed' 3 weeks ago, bank says nothing arrived. Who do I believe?")
add(L, "xm", harry, 214, "neg", DEL, "complaint",
    "@acmeshop thanks for nothing. parcel returned to sender because your courier 'couldn't find' a house with a "
    "massive number 12 on the door")
add(L, "xm", ella, 222, "neg", DEL, "complaint", "@acmeshop wow, 4 weeks for a t-shirt. impressive. truly. 👏")
add(L, "xm", rachel, 229, "neg", DEL, "complaint",
    "@acmeshop hey, the tracking link you sent goes to a 404: https://track.acme-shop.example/A10698 🤷‍♀️")
add(L, "xm", connor, 236, "neg", DEL, "complaint",
    "@acmeshop my parcel has been 'out for delivery' for 3 days now. is it touring the country?")

# questions
mia = xa("x-1030", "miataylor_nz", "Mia Taylor", 230)
noah = xa("x-1031", "noahb", "Noah Bennett", 80)
ethan = xa("x-1032", "ethanpark", "Ethan Park", 150)
amelia = xa("x-1033", "ameliaross", "Amelia Ross", 60)
arjun = xa("x-1034", "arjunm", "Arjun Mehta", 330)
freya = xa("x-1035", "freyah", "Freya Hughes", 20)
leo = xa("x-1036", "leofischer", "Leo Fischer", 110)
isla = xa("x-1037", "islacamp", "Isla Campbell", 75)
lucas = xa("x-1038", "lucastremblay", "Lucas Tremblay", 240)
gracem = xa("x-1039", "gracem", "Grace Mitchell", 35)
kwame = xa("x-1040", "kwameasante", "Kwame Asante", 1500)
ruby = xa("x-1041", "rubyclarke", "Ruby Clarke", 18)
dylan = xa("x-1042", "dylanf", "Dylan Foster", 90)
victoria = xa("x-1043", "vickylane", "Victoria Lane", 210)
owen = xa("x-1044", "owenrich", "Owen Richards", 66)
daan = xa("x-1045", "daandevries", "Daan de Vries", 140)
imran = xa("x-1046", "imransiddiqui", "Imran Siddiqui", 310)
beth = xa("x-1047", "bethmorgan", "Beth Morgan", 45)

add(L, "xm", mia, 0, "neu", DEL, "question", "@acmeshop do you ship to New Zealand? couldn't find it in the FAQ")
add(L, "xm", noah, 12, "neu", REF, "question",
    "@acmeshop what's your return window for sale items? bought sneakers in the summer sale")
add(L, "xm", ethan, 20, "neu", OTH, "question",
    "@acmeshop do the Runner 2s run true to size? I'm usually a 43 in most brands")
add(L, "xm", amelia, 36, "neu", OTH, "question", "@acmeshop hi! when will the linen shirts be back in stock in L?")
add(L, "xm", arjun, 45, "neu", OTH, "question", "@acmeshop is there a physical store in London or are you online only?")
add(L, "xm", freya, 56, "neu", DEL, "question",
    "@acmeshop quick q: can I change the delivery address after ordering? just moved flats")
add(L, "xm", leo, 67, "neu", OTH, "question", "@acmeshop do you do gift wrapping?")
add(L, "xm", isla, 74, "neu", OTH, "question", "@acmeshop is the Summer Sale online only or also in the app?")
add(L, "xm", lucas, 86, "neu", DEL, "question", "@acmeshop how long does shipping to Canada usually take?")
add(L, "xm", gracem, 99, "neu", CS, "question", "@acmeshop what are your customer service hours on weekends?")
add(L, "xm", kwame, 108, "neu", OTH, "question",
    "@acmeshop are the Pulse earbuds compatible with Android or iPhone only?")
add(L, "xm", ruby, 138, "neu", OTH, "question", "@acmeshop do you have a student discount? asking for me")
add(L, "xm", dylan, 155, "neu", OTH, "question", "@acmeshop how do I use a gift card in the new app? can't find the field")
add(L, "xm", victoria, 172, "neu", DEL, "question",
    "@acmeshop does the 'free shipping over $65' count before or after the discount?")
add(L, "xm", owen, 186, "neu", DEL, "question", "@acmeshop is order #A10588 shipped yet? placed it Monday")
add(L, "xm", daan, 201, "neu", REF, "question",
    "@acmeshop hi, can I return something in a different country? bought it while living in DE, I'm in NL now")
add(L, "xm", imran, 218, "neu", OTH, "question", "@acmeshop what's the warranty on your power banks?")
add(L, "xm", beth, 232, "neu", OTH, "question", "@acmeshop are your bath towels 100% cotton?")

# praise
niamh = xa("x-1048", "niamhbyrne", "Niamh Byrne", 300)
chris = xa("x-1049", "chrisdonovan", "Chris Donovan", 820)
maya = xa("x-1050", "mayaokafor", "Maya 👩‍💻 Okafor", 96000)  # name contains a zero-width joiner (U+200D)
tariq = xa("x-1051", "tariqj", "Tariq Jones", 130)
holly = xa("x-1052", "hollyreed", "Holly Reed", 60)
seb = xa("x-1053", "sebwolfe", "Sebastian Wolfe", 450)
lily = xa("x-1054", "lilychen", "Lily Chen", 900)
paul = xa("x-1055", "paulandersen", "Paul Andersen", 35)
jasmine = xa("x-1056", "jasmineortiz", "Jasmine Ortiz", 240)
annak = xa("x-1057", "annakowal", "Anna Kowalski", 88)

add(L, "xm", niamh, 7, "pos", None, "praise",
    "@acmeshop ordered Sunday, arrived Tuesday, in Ireland. witchcraft 🧙‍♀️ love the linen shirt")
add(L, "xm", chris, 30, "pos", None, "praise",
    "@acmeshop shoutout to Dana from your support team who sorted my exchange in 5 minutes 🙌")
add(L, "xm", maya, 50, "pos", None, "praise",
    "@acmeshop the Runner 2 is the most comfortable sneaker I've tested this year. Full review is up on the channel 👟🔥")
add(L, "xm", tariq, 72, "pos", None, "praise",
    "@acmeshop got my refund back in 2 days, didn't even have to ask twice. respect")
add(L, "xm", holly, 92, "pos", None, "praise", "@acmeshop these waffle towels are unreal. buying 4 more")
add(L, "xm", seb, 145, "pos", None, "praise",
    "@acmeshop honestly the best packaging I've seen, zero plastic and the mugs survived a 2,000 km trip 👏")
add(L, "xm", lily, 165, "pos", None, "praise", "@acmeshop thank you for the handwritten note in my parcel 🥹 made my day")
add(L, "xm", annak, 180, "pos", None, "praise",
    "@acmeshop 10/10 customer service, Tom on chat fixed my address in seconds")
add(L, "xm", paul, 210, "pos", None, "praise", "@acmeshop checkout in the app is so much faster now, finally 🙏")
add(L, "xm", jasmine, 226, "pos", None, "praise",
    "@acmeshop big thanks, your team replaced the cracked phone case no questions asked ❤️")

# spam / trolls
add(L, "xm", xa("x-1058", "cryptoprofitx88", "Crypto Profits Daily", 12), 39, "neu", None, "spam",
    "@acmeshop 🚀🚀 Turn $100 into $5,000 in 24h with our AI crypto bot! DM me or claim here "
    "https://airdrop-eth.example.com/claim 💰💰")
add(L, "xm", xa("x-1059", "followtrain4u", "Follow Train ✨", 3), 144, "neu", None, "spam",
    "@acmeshop follow me for FREE followers 🔥 follow back 100% guaranteed #f4f #followback #teamfollowback")
add(L, "xm", xa("x-1060", "xx_v0id_xx", "void", 7), 94, "neg", None, "troll",
    "@acmeshop your brand is garbage and so is everyone who works there lol cry about it")
add(L, "xm", xa("x-1061", "kev_ratio_king", "Kev", 41), 199, "neg", None, "troll",
    "@acmeshop bet your shoes are made of cardboard 🤡🤡 ratio")

# the checkout outage (burst around minute 120)
georgia = xa("x-1062", "georgiahall", "Georgia Hall", 210)
add(L, "xm", georgia, 112, "neg", OTH, "complaint",
    "@acmeshop is checkout broken?? payment failed 3 times, my card is fine", thread="georgia_chain", key="georgia1")
add(L, "xm", xa("x-1063", "nathanreyes", "Nathan Reyes", 95), 113, "neg", OTH, "complaint",
    "@acmeshop 'Payment failed – error PAY-502' every single time. Trying to buy before the sale ends 😤")
add(L, "xm", xa("x-1064", "abbyturner", "Abby Turner", 1200), 115, "neg", OTH, "complaint",
    "@acmeshop is your site down? can't get past the payment page")
add(L, "xm", xa("x-1065", "devonw", "Devon Walker", 60), 117, "neg", REF, "complaint",
    "@acmeshop got charged but the order failed?? money gone, no order confirmation. what is going on")
add(L, "xm", xa("x-1066", "erinfoley", "Erin Foley", 330), 120, "neg", OTH, "complaint",
    "@acmeshop app AND website both failing at payment. Sale ends tonight. Fix it pls")
add(L, "xm", xa("x-1067", "maxhoward", "Max Howard", 22), 122, "neg", OTH, "complaint",
    "@acmeshop PAY-502 PAY-502 PAY-502 😡")
add(L, "xm", xa("x-1068", "dealshunteruk", "Deals Hunter UK", 248000), 124, "neg", OTH, "complaint",
    "@acmeshop loads of people in my replies saying your checkout is down and the sale ends at midnight. Any ETA?")
add(L, "xm", xa("x-1069", "sarahquinn", "Sarah Quinn", 140), 132, "neg", OTH, "complaint",
    "@acmeshop tried PayPal, tried card, tried Apple Pay. Nothing works. Cart with 6 items just sitting there")
add(L, "xm", georgia, 133, "neg", OTH, "complaint",
    "@acmeshop still failing 20 min later, giving up for today", thread="georgia_chain", parent="georgia1")

# ---------------------------------------------------------------------------------------------
# English: X direct messages (every DM belongs to a conversation thread)
# ---------------------------------------------------------------------------------------------
# Keisha: the public mention (minute 15) continues here.
add(L, "xd", keisha, 22, "neg", DEL, "followup_answer",
    "Hi, it's about the parcel marked delivered. Order #A10377. It was the grey sneakers + 2 pairs of socks.",
    thread="keisha_dm")
add(L, "xd", keisha, 40, "neg", DEL, "complaint",
    "The driver photo you sent shows a blue door. My door is white. That's not my house.", thread="keisha_dm")
add(L, "xd", keisha, 95, "pos", DEL, "followup_answer",
    "ok reshipment confirmed, thank you for sorting it so fast 🙏", thread="keisha_dm")

add(L, "xd", daniel, 46, "neu", REF, "followup_answer",
    "Hi, here's the order number: #A10412. Both charges are on the same card ending 4471.", thread="daniel_dm")
add(L, "xd", daniel, 170, "pos", REF, "followup_answer",
    "The duplicate charge shows as refunded on my card now. Thanks", thread="daniel_dm")

laura = xa("x-1070", "lauraj", "Laura Jensen", 120)
add(L, "xd", laura, 10, "neg", DEL, "complaint",
    "hello, I ordered a duvet cover on the 2nd and it's still not shipped. order #A10234", thread="laura_dm")
add(L, "xd", laura, 25, "neu", DEL, "followup_answer",
    "yes the address is correct, same one as my last 3 orders", thread="laura_dm")
add(L, "xd", laura, 210, "neg", DEL, "followup_answer",
    "no, still nothing arrived. tracking hasn't moved since yesterday", thread="laura_dm")

add(L, "xd", ryan, 60, "neg", ACC, "followup_answer",
    "Hey, it's Ryan from the tweet. The account email is ryan.oc@example.com. Reset link still not coming",
    thread="ryan_dm")
add(L, "xd", ryan, 88, "pos", ACC, "followup_answer",
    "got it, the reset worked with the link you sent. all good now, thanks!", thread="ryan_dm")

patrick = xa("x-1071", "patnolan", "Patrick Nolan", 310)
add(L, "xd", patrick, 141, "neg", CS, "complaint",
    "I want to make a formal complaint about the agent I spoke to yesterday. He told me to 'read the FAQ' and "
    "ended the chat. Unacceptable.", thread="patrick_dm")
add(L, "xd", patrick, 156, "neu", CS, "followup_answer", "Ticket number was 88213 if that helps", thread="patrick_dm")

tess = xa("x-1072", "tessw", "Tess Whitaker", 55)
add(L, "xd", tess, 18, "neu", DEL, "question", "Hi! Do you deliver to PO boxes in Australia?", thread="tess_dm")
add(L, "xd", tess, 35, "pos", DEL, "followup_answer", "perfect, thanks 😊", thread="tess_dm")

rohan = xa("x-1073", "rohand", "Rohan Das", 900)
add(L, "xd", rohan, 62, "neg", DAM, "complaint",
    "the charging case of my Pulse earbuds doesn't close properly, the lid wobbles and they keep disconnecting. "
    "Bought them 2 weeks ago.", thread="rohan_dm")
add(L, "xd", rohan, 80, "neu", DAM, "followup_answer",
    "order #A10501. I can send a video if needed", thread="rohan_dm")
add(L, "xd", rohan, 230, "pos", DAM, "followup_answer",
    "replacement came today, works perfectly. appreciate it", thread="rohan_dm")

kate = xa("x-1074", "katesull", "Kate Sullivan", 140)
add(L, "xd", kate, 75, "neg", REF, "complaint",
    "Hi, I returned 2 items on the 1st and only got refunded for one. Missing €34.95", thread="kate_dm")
add(L, "xd", kate, 102, "neu", REF, "followup_answer",
    "Return label number RTN-55821, order #A10199", thread="kate_dm")

add(L, "xd", xa("x-1075", "devmalhotra", "Dev Malhotra", 600), 135, "neu", OTH, "question",
    "Hey, what's the difference between the Runner 2 'regular' and 'wide' fit? got wide feet lol", thread="dev_dm")

fiona = xa("x-1076", "fionagrey", "Fiona Grey", 80)
add(L, "xd", fiona, 65, "neg", OTH, "complaint",
    "The welcome code WELCOME10 from your email says it's already been used but this is my first order??",
    thread="fiona_dm")
add(L, "xd", fiona, 79, "neu", OTH, "followup_answer", "ok it worked in the app, weird but fine 🤷‍♀️", thread="fiona_dm")

mo = xa("x-1077", "mosesay", "Mo Sesay", 40)
add(L, "xd", mo, 5, "neu", CS, "question", "hi is anyone there", thread="mo_dm")
add(L, "xd", mo, 14, "neg", DAM, "complaint",
    "hellooo?? it's been 2 days since my email about the broken lamp", thread="mo_dm")
add(L, "xd", mo, 61, "neu", DAM, "followup_answer",
    "order #A10299, the glass shade was cracked inside the box", thread="mo_dm")

ivy = xa("x-1078", "ivylamb", "Ivy Lambert", 30)
add(L, "xd", ivy, 116, "neg", OTH, "complaint",
    "Payment keeps failing at checkout with error PAY-502, is this on your side? I've tried 2 different cards",
    thread="ivy_dm")
add(L, "xd", ivy, 134, "neg", OTH, "complaint", "still failing btw", thread="ivy_dm")

callum = xa("x-1079", "callumreid", "Callum Reid", 12)
add(L, "xd", callum, 119, "neg", REF, "complaint",
    "my bank shows a pending charge of £72 but your site said payment failed. please don't charge me twice",
    thread="callum_dm")
add("und", "xd", callum, 181, "pos", REF, "followup_answer", "🙏", thread="callum_dm")

add(L, "xd", xa("x-1080", "sophiemarsh", "Sophie Marsh", 200), 55, "pos", None, "praise",
    "just wanted to say your packaging is lovely and the bedding is even nicer in person 💛", thread="sophie_dm")
add(L, "xd", xa("x-1081", "aliraza", "Ali Raza", 75), 178, "neu", CS, "question",
    "Do you have a phone number for customer service? I'd rather call", thread="ali_dm")
add(L, "xd", xa("x-1082", "growthpro_smm", "Growth Agency Pro", 150), 100, "neu", None, "spam",
    "Hi dear, I am promotion manager. I can get your account 50K real followers for only $49. Reply YES to start",
    thread="growth_dm")
add(L, "xd", xa("x-1083", "yusufdemir", "Yusuf Demir", 260), 192, "neu", OTH, "question",
    "I want to cancel order #A10633, ordered the wrong colour. It hasn't shipped yet I think?", thread="yusuf_dm")
add(L, "xd", xa("x-1084", "zolatunji", "Zainab Olatunji", 510), 151, "neu", OTH, "question",
    "are you hiring for the warehouse? 😅 asking seriously", thread="zainab_dm")
add(L, "xd", xa("x-1085", "grantf", "Grant Fraser", 90), 235, "neg", DAM, "complaint",
    "Your courier threw my parcel over the fence into the rain. Everything inside is soaked. Order #A10720",
    thread="grant_dm")

# ---------------------------------------------------------------------------------------------
# English: Facebook Page comments
# ---------------------------------------------------------------------------------------------
# p1 summer sale
add(L, "fc", fa("fb-2001", "Brenda Walsh"), 3, "neu", OTH, "question", "Is the sale also valid in the app?", post="p1")
greg = fa("fb-2002", "Greg Stanton")
add(L, "fc", greg, 44, "neg", OTH, "complaint", "SUMMER40 doesn't work at checkout. Says invalid code.",
    post="p1", thread="coupon_chain", key="c_coupon")
add(L, "fc", fa("fb-2003", "Louise Parker"), 57, "neg", OTH, "complaint", "same here, tried 3 times",
    post="p1", thread="coupon_chain", parent="c_coupon")
add(L, "fc", fa("fb-2004", "Derek Simmons"), 61, "neg", OTH, "complaint",
    "Same!! and the post says until Sunday. Sort it out Acme", post="p1", thread="coupon_chain", parent="c_coupon")
add(L, "fc", greg, 108, "pos", OTH, "followup_answer", "Works now after your reply, thanks for the quick fix",
    post="p1", thread="coupon_chain", parent="c_coupon")
add(L, "fc", fa("fb-2005", "Tanya Rhodes"), 13, "pos", None, "praise",
    "Got 3 shirts in the sale, quality is amazing for the price 😍", post="p1")
add(L, "fc", fa("fb-2006", "Mark Jennings"), 29, "neu", OTH, "question",
    "When does the sale end exactly? Sunday midnight in which timezone?", post="p1")
add(L, "fc", fa("fb-2007", "Helen Fox"), 142, "neu", REF, "question",
    "I bought the sneakers full price 2 days before the sale. Can I get the difference back?", post="p1")

# p2 Runner 2
add(L, "fc", fa("fb-2008", "Jamal Reed"), 8, "pos", None, "praise", "Olive green all the way 💚", post="p2")
add(L, "fc", fa("fb-2009", "Cathy Moore"), 23, "neu", OTH, "question", "Do they come in half sizes?", post="p2")
steven = fa("fb-2010", "Steven Barker")
add(L, "fc", steven, 69, "neg", DAM, "complaint",
    "Mine fell apart after 3 weeks. The sole came off the left shoe. Not impressed.",
    post="p2", thread="sole_chain", key="c_sole")
add(L, "fc", fa("fb-2011", "Janet Holloway"), 84, "neu", DAM, "question", "Oh no, did they replace them?",
    post="p2", thread="sole_chain", parent="c_sole")
add(L, "fc", steven, 91, "neg", CS, "complaint",
    "Janet Holloway not yet, been waiting 10 days for an answer to my email", post="p2", thread="sole_chain",
    parent="c_sole")
add(L, "fc", fa("fb-2012", "Rebecca Stone"), 137, "pos", None, "praise",
    "Best running shoes I've owned, did a half marathon in them and no blisters 🏃‍♀️", post="p2")
add(L, "fc", fa("fb-2013", "Kiran Patel"), 176, "neu", OTH, "question", "Are they vegan?", post="p2")

# p3 new shipping countries
add(L, "fc", fa("fb-2014", "Gudrun Olafsdottir"), 17, "neu", DEL, "question", "Please ship to Iceland next 🙏🇮🇸",
    post="p3")
add(L, "fc", fa("fb-2015", "Thabo Nkosi"), 54, "neu", DEL, "question", "Do you ship to South Africa?", post="p3")
add(L, "fc", fa("fb-2016", "Daniela Cruz"), 78, "neg", DEL, "complaint",
    "My order to Mexico City has been stuck in customs for 3 weeks. 5-10 days they said.", post="p3")

# p4 warehouse move
craig = fa("fb-2017", "Craig Dunn")
add(L, "fc", craig, 11, "neg", DEL, "complaint", "1-2 extra days?? Mine's been 'processing' for 12 days 🙃",
    post="p4", thread="warehouse_chain", key="c_wh")
add(L, "fc", fa("fb-2018", "Alison Ward"), 26, "neg", DEL, "complaint", "Same, 10 days here. No email either.",
    post="p4", thread="warehouse_chain", parent="c_wh")
add(L, "fc", fa("fb-2019", "Ricky Dalton"), 38, "neg", DEL, "complaint", "Same 😤", post="p4",
    thread="warehouse_chain", parent="c_wh")
add(L, "fc", craig, 190, "neu", DEL, "followup_answer", "Update: got a shipping email today, finally.",
    post="p4", thread="warehouse_chain", parent="c_wh")
add(L, "fc", fa("fb-2020", "Marjorie Bell"), 47, "pos", None, "praise",
    "Thanks for the heads up! Appreciate the honesty 👍", post="p4")
add(L, "fc", fa("fb-2021", "Aaron Fletcher"), 90, "neu", REF, "question",
    "Does this affect returns too? I sent mine back last week", post="p4")

# p5 home collection
add(L, "fc", fa("fb-2022", "Hayley Dixon"), 6, "pos", None, "praise", "Those mugs 😍 need them all", post="p5")
add(L, "fc", fa("fb-2023", "Shirley Adams"), 66, "pos", None, "praise",
    "Bought the linen bedding last month, softest thing ever. Worth every penny.", post="p5")
add(L, "fc", fa("fb-2024", "Pauline Hart"), 150, "neg", DAM, "complaint",
    "My mugs arrived with chips on the rim, 2 out of 4. Emailed photos, no reply yet", post="p5")
add(L, "fc", fa("fb-2025", "Geoff Lawson"), 207, "neu", OTH, "question",
    "What sizes does the duvet cover come in? Need a super king", post="p5")

# p6 giveaway
add(L, "fc", fa("fb-2026", "Nicole Baxter"), 19, "pos", None, "praise",
    "Love Acme! Would be amazing to win these 😍 Sam Ortega", post="p6")
add(L, "fc", fa("fb-2027", "Grace Forex Trading"), 32, "neu", None, "spam",
    "💸 I made $8,400 this week from home with Mrs. Linda's crypto trading program. Message her on WhatsApp "
    "+1 555 0142 🙏🙏", post="p6")
add(L, "fc", fa("fb-2028", "Dorothy Mills"), 74, "neu", OTH, "question",
    "Is this giveaway real? Some account messaged me saying I won and asked for my card details",
    post="p6", thread="scam_chain", key="c_scam")
add(L, "fc", fa("fb-2029", "Howard Bryce"), 98, "neu", OTH, "question",
    "Same here, an account called 'Acme Giveaway Team' messaged me. Is that you? I reported it",
    post="p6", thread="scam_chain", parent="c_scam")
add(L, "fc", fa("fb-2030", "Darren Kane"), 157, "neg", None, "troll",
    "rigged like every giveaway, nobody ever wins lmao 🤡 imagine falling for this", post="p6")
add(L, "fc", fa("fb-2031", "Yolanda Greene"), 96, "pos", None, "praise",
    "Fingers crossed 🤞 love the Pulse earbuds, my brother has them", post="p6")

# p7 app update (and the checkout outage)
kelly = fa("fb-2032", "Kelly Ashford")
add(L, "fc", kelly, 114, "neg", OTH, "complaint", "Checkout in the new app doesn't work, payment failed x3",
    post="p7", thread="pay_chain", key="c_pay")
add(L, "fc", fa("fb-2033", "Vince Garner"), 118, "neg", OTH, "complaint", "same, website too!!",
    post="p7", thread="pay_chain", parent="c_pay")
add(L, "fc", fa("fb-2036", "Ann Whitfield"), 119, "neg", OTH, "complaint", "Is checkout down for everyone or just me??",
    post="p7")
add(L, "fc", fa("fb-2034", "Tracy Lin"), 121, "neg", OTH, "complaint",
    "Same here, error PAY-502. Been trying for half an hour", post="p7", thread="pay_chain", parent="c_pay")
add(L, "fc", fa("fb-2035", "Pete Morrison"), 137, "neg", OTH, "complaint", "and of course the sale ends tonight 🙄",
    post="p7", thread="pay_chain", parent="c_pay")
add(L, "fc", kelly, 161, "pos", OTH, "followup_answer", "working again for me now 👍", post="p7", thread="pay_chain",
    parent="c_pay")
add(L, "fc", fa("fb-2037", "Bernard Quigley"), 31, "neg", ACC, "complaint",
    "app keeps logging me out every time I open it since the update", post="p7")
add(L, "fc", fa("fb-2038", "Rosa Kingsley"), 42, "pos", None, "praise", "Love the new tracking screen, much clearer 👌",
    post="p7")
add(L, "fc", fa("fb-2039", "Terry Goodwin"), 182, "neg", OTH, "complaint",
    "App crashes when I open my order history on Android 14", post="p7")

# p8 customer care hours
monica = fa("fb-2040", "Monica Fairley")
add(L, "fc", monica, 5, "neg", CS, "complaint", "Messaged you 3 days ago, still 'seen' and no reply", post="p8")
add(L, "fc", fa("fb-2041", "Lionel Webb"), 49, "neu", CS, "question", "Do you answer on Sundays too?", post="p8")
add(L, "fc", fa("fb-2042", "Irene Holt"), 139, "pos", None, "praise",
    "Had a great experience with your Messenger team last week, Sara was so helpful 😊", post="p8")
add(L, "fc", fa("fb-2043", "Curtis Boyd"), 188, "neu", CS, "question",
    "8-22 CET is great but what about customers in the US?", post="p8")
add(L, "fc", fa("fb-2044", "Wesley Gunn"), 213, "neg", ACC, "complaint",
    "the app shows my name as <script>alert(1)</script> since the update?? I never typed that. is my account hacked 😬",
    post="p8")
add(L, "fc", fa("fb-2045", "Roberta Simms"), 227, "neu", CS, "question", "Is there a phone line or only Messenger?",
    post="p8")

# ---------------------------------------------------------------------------------------------
# English: Facebook Messenger (every message belongs to a conversation thread)
# ---------------------------------------------------------------------------------------------
# Monica: her public Page comment (minute 5) continues in Messenger.
add(L, "fm", monica, 12, "neg", OTH, "complaint",
    "Hi, I sent a message 3 days ago about my order #A10156. The jeans are the wrong size (got 32, ordered 28).",
    thread="monica_msg")
add(L, "fm", monica, 30, "neu", OTH, "followup_answer", "I'd prefer an exchange, not a refund", thread="monica_msg")
add(L, "fm", monica, 202, "pos", OTH, "followup_answer", "got the exchange label, thank you", thread="monica_msg")

LONG_COMPLAINT = (
    "Hello, I have tried to sort this out by email twice and I am now writing here because honestly I don't know "
    "what else to do. On the 28th I ordered the stonewashed linen bedding set (king), two of the hand-glazed mugs "
    "and a set of waffle towels as a housewarming present for my daughter. The website said delivery in 3-5 days. "
    "It took 16. Nobody told me anything in between, the tracking page just said 'processing' for over a week and "
    "then 'in transit' for another five days. When the box finally came it had clearly been dropped or stood on, "
    "one corner was completely crushed and both mugs were broken. The duvet cover had a grey mark across it, I "
    "assume from the wet cardboard. I took photos straight away and emailed them the same evening. I got an "
    "automatic reply saying someone would be in touch within 48 hours. That was nine days ago. When I rang your "
    "number I waited 35 minutes, and the young man I finally got was polite but told me he 'couldn't see the "
    "photos' and I would have to send them again. I did. Nothing. I have been an Acme customer for four years and "
    "I have always recommended you to friends, which is why this is so disappointing. I am not asking for anything "
    "unreasonable: I want the broken mugs and the marked duvet cover replaced, or a full refund for those items, "
    "and I would like a real person to reply to me rather than another automatic email. The present was for a date "
    "that has now passed, so I had to go and buy something else in a shop. Please do not just send me a link to "
    "the returns page."
)
margaret = fa("fb-2046", "Margaret O'Sullivan")
add(L, "fm", margaret, 24, "neg", DAM, "complaint", LONG_COMPLAINT, thread="margaret_msg")
add("und", "fm", margaret, 28, "neg", DAM, "complaint", "😡😡😡", thread="margaret_msg")
add(L, "fm", margaret, 110, "neu", DAM, "followup_answer",
    "The order number is #A10042, as I said in my emails.", thread="margaret_msg")
add(L, "fm", margaret, 215, "neu", DAM, "followup_answer",
    "Fine. The replacement is on its way apparently, we'll see.", thread="margaret_msg")

jim = fa("fb-2047", "Jim Halloran")
add(L, "fm", jim, 16, "neg", REF, "complaint",
    "hi i paid for express shipping (€14.90) and it took 9 days. i want the express fee back", thread="jim_msg")
add(L, "fm", jim, 34, "neu", REF, "followup_answer", "#A10388", thread="jim_msg")
add(L, "fm", jim, 71, "pos", REF, "followup_answer", "ok thanks, saw the refund email", thread="jim_msg")

ngozi = fa("fb-2048", "Ngozi Eze")
add(L, "fm", ngozi, 43, "neu", OTH, "question",
    "Hello, is it possible to order a size that's out of stock and get it when it's back?", thread="ngozi_msg")
add(L, "fm", ngozi, 59, "pos", OTH, "followup_answer", "ah okay, I'll sign up for the alert then. Thanks!",
    thread="ngozi_msg")

gary = fa("fb-2049", "Gary Pugh")
add(L, "fm", gary, 53, "neg", REF, "complaint", "Your website took my money twice!!! £45.99 twice on my statement",
    thread="gary_msg")
add(L, "fm", gary, 70, "neu", REF, "followup_answer", "ORDER #A10467", thread="gary_msg")
add(L, "fm", gary, 185, "neg", REF, "followup_answer",
    "still not refunded the second charge. this is basically theft", thread="gary_msg")

agnieszka = fa("fb-2050", "Agnieszka Nowak")
add(L, "fm", agnieszka, 63, "neg", ACC, "complaint",
    "Hello, I cannot reset my password. The link in the email says 'token invalid'.", thread="agnieszka_msg")
add(L, "fm", agnieszka, 81, "neg", ACC, "followup_answer",
    "I used the link within 2 minutes, still invalid", thread="agnieszka_msg")
add(L, "fm", agnieszka, 146, "pos", ACC, "followup_answer",
    "It works now with the new link, thank you very much", thread="agnieszka_msg")

add(L, "fm", fa("fb-2051", "Cheryl Boateng"), 87, "neu", OTH, "question", "Hi do you sell gift cards?",
    thread="cheryl_msg")

rajesh = fa("fb-2052", "Rajesh Iyer")
add(L, "fm", rajesh, 97, "neu", REF, "question",
    "I want to return a blender (Acme Home Blend 600), it's unused and still in the box. How do I do it?",
    thread="rajesh_msg")
add(L, "fm", rajesh, 106, "pos", REF, "followup_answer", "great, printed the label 👍", thread="rajesh_msg")

add(L, "fm", fa("fb-2053", "Dominic Shaw"), 123, "neg", REF, "complaint",
    "Is your payment system down? It says payment failed but my bank app shows the money was taken",
    thread="dominic_msg")
add(L, "fm", fa("fb-2054", "Valerie Stokes"), 136, "neg", OTH, "complaint", "cant pay!!! tried 5 times",
    thread="valerie_msg")
add(L, "fm", fa("fb-2055", "Eleanor Whitmore"), 153, "pos", None, "praise",
    "Hello, I would just like to say thank you to the lady who helped me on the phone yesterday, she was very "
    "patient with me as I'm not good with computers.", thread="eleanor_msg")

tony = fa("fb-2056", "Tony Russo")
add(L, "fm", tony, 158, "neg", DEL, "complaint", "where's my order?? #A10601 ordered 2 weeks ago", thread="tony_msg")
add(L, "fm", tony, 173, "neu", DEL, "followup_answer", "yes, Flat 4, 19 Rose Lane, that's right", thread="tony_msg")

add(L, "fm", fa("fb-2057", "Bridget Maguire"), 166, "neu", DEL, "question",
    "Do you ship to the Canary Islands? The checkout doesn't let me pick it.", thread="bridget_msg")
add(L, "fm", fa("fb-2058", "Hugo Lambert"), 177, "neg", CS, "complaint",
    "your chat agent was honestly rude to me. I asked a simple question about my refund and got 'as I already "
    "said' three times. Not ok.", thread="hugo_msg")
add(L, "fm", fa("fb-2059", "Wendy Carr"), 195, "neu", OTH, "question",
    "Good morning, what are your store hours? Is there a shop I can visit in Manchester?", thread="wendy_msg")
add(L, "fm", fa("fb-2060", "Meta Support Center"), 101, "neu", None, "spam",
    "⚠️ Your Page has violated our community standards. Verify your account within 24h here: "
    "https://meta-support-verify.example.com or your Page will be disabled permanently.", thread="phish_msg")
add(L, "fm", fa("fb-2061", "Lorraine Tate"), 203, "pos", None, "praise",
    "My parcel came today, the lamp is perfect and it came so quick! Thank you 😊", thread="lorraine_msg")

elijah = fa("fb-2062", "Elijah Brown")
add(L, "fm", elijah, 221, "neg", DAM, "complaint", "the blender I received doesn't turn on. tried 3 sockets.",
    thread="elijah_msg")
add(L, "fm", elijah, 238, "neu", DAM, "followup_answer", "order #A10702", thread="elijah_msg")

add(L, "fm", fa("fb-2063", "Hazel Fitzgerald"), 233, "neu", DEL, "question",
    "Hi, I live in Canada, will I have to pay duties on top?", thread="hazel_msg")

oscar = fa("fb-2064", "Oscar Delgado")
add(L, "fm", oscar, 9, "neg", ACC, "complaint",
    "hi my account shows someone else's address and orders?? I'm worried", thread="oscar_msg")
add(L, "fm", oscar, 21, "neu", ACC, "followup_answer", "yes, I changed my password just now", thread="oscar_msg")

add(L, "fm", craig, 70, "neg", DEL, "complaint",
    "Hi, it's about order #A10149, still 'processing' after 12 days, can you check what's going on?",
    thread="craig_msg")

# ---------------------------------------------------------------------------------------------
# Spanish
# ---------------------------------------------------------------------------------------------
L = "es"
lucia = xa("x-1101", "luciafdez", "Lucía Fernández", 430)
add(L, "xm", lucia, 14, "neg", DEL, "complaint",
    "@acmeshop llevo 3 semanas esperando mi pedido y nadie me dice nada. Esto es una vergüenza 😤",
    thread="lucia_public")
add(L, "xd", lucia, 42, "neu", DEL, "followup_answer",
    "Hola, os paso el número: #A10321. Lo pedí el día 3 y sigue en 'preparando'.", thread="lucia_dm")
add(L, "xd", lucia, 225, "pos", DEL, "followup_answer", "Ya me ha llegado!! gracias por la ayuda 🙌",
    thread="lucia_dm")
add(L, "xm", xa("x-1102", "javimorales", "Javier Morales", 1200), 38, "neg", OTH, "complaint",
    "@acmeshop me llegaron unas zapatillas talla 44 cuando pedí la 41... ¿cómo lo cambio sin pagar el envío otra vez?")
add(L, "xm", xa("x-1103", "camirojas", "Camila Rojas", 85), 81, "neu", DEL, "question",
    "@acmeshop hola! hacen envíos a Chile? 🇨🇱")
add(L, "xm", xa("x-1104", "diegoherrera_mx", "Diego Herrera", 22000), 128, "neg", OTH, "complaint",
    "@acmeshop no me deja pagar, 'error PAY-502' una y otra vez. ¿Está caída la web o qué?")
add(L, "xm", xa("x-1105", "valegomez", "Valentina Gómez", 310), 163, "pos", None, "praise",
    "@acmeshop me encantan las toallas nuevas, súper suaves 😍 ya pedí otras dos")
add(L, "xm", xa("x-1106", "andrescast", "Andrés Castillo", 140), 208, "neg", DEL, "complaint",
    "@acmeshop pedí unas sneakers hace 2 weeks and still nothing, el tracking no se mueve. what's going on?? 😩")
add(L, "xm", xa("x-1107", "el_pibe_x", "Pibe", 9), 146, "neg", None, "troll",
    "@acmeshop jajaja qué basura de tienda, cierren ya 🤡🤡")
add(L, "xd", xa("x-1108", "martisuarez", "Martina Suárez", 60), 103, "neu", REF, "question",
    "Buenas! quería saber si puedo devolver un artículo comprado en rebajas", thread="martina_dm")
add(L, "fc", fa("fb-2101", "Carmen Ruiz"), 39, "pos", None, "praise", "Por fin envían a México!! 🎉🇲🇽", post="p3")
add(L, "fc", fa("fb-2102", "Alejandro Torres"), 60, "neu", DEL, "question",
    "Cuánto tarda a Argentina? y hay que pagar aduana?", post="p3")
add(L, "fc", fa("fb-2103", "Rosa Jiménez"), 153, "neg", DEL, "complaint",
    "Lo mismo, mi pedido lleva 2 semanas 'en preparación'. 1-2 días dicen 🙄", post="p4", thread="warehouse_chain",
    parent="c_wh")
add(L, "fc", fa("fb-2104", "Pablo Navarro"), 135, "neg", OTH, "complaint",
    "no funciona el pago en la app, me sale error todo el rato", post="p7")
sofiar = fa("fb-2105", "Sofía Ramírez")
add(L, "fm", sofiar, 72, "neg", REF, "complaint", "Hola, me cobraron dos veces el mismo pedido 😡 #A10410",
    thread="sofiar_msg")
add(L, "fm", sofiar, 92, "neu", REF, "followup_answer", "Sí, la tarjeta termina en 2290", thread="sofiar_msg")
add(L, "fm", sofiar, 199, "pos", REF, "followup_answer", "Perfecto, ya vi el reembolso. Gracias!",
    thread="sofiar_msg")
add(L, "fm", fa("fb-2106", "Manuel Ortega"), 187, "neu", OTH, "question",
    "Buenas tardes, tienen tienda física en Madrid?", thread="manuel_msg")
add(L, "fm", fa("fb-2107", "Isabel Vargas"), 231, "neg", DAM, "complaint",
    "El pedido llegó con la caja destrozada y la lámpara rota. Qué decepción, era un regalo.", thread="isabel_msg")

# ---------------------------------------------------------------------------------------------
# French
# ---------------------------------------------------------------------------------------------
L = "fr"
add(L, "xm", xa("x-1201", "camilledbs", "Camille Dubois", 520), 19, "neg", DAM, "complaint",
    "@acmeshop commande reçue mais le pull est troué 😑 sérieusement ?")
add(L, "xm", xa("x-1202", "julienmoreau", "Julien Moreau", 75), 57, "neu", DEL, "question",
    "@acmeshop bonjour, vous livrez en Belgique ? et en combien de temps ?")
add(L, "xm", xa("x-1203", "leagirard", "Léa Girard", 230), 121, "neg", OTH, "complaint",
    "@acmeshop impossible de payer, « paiement refusé » alors que ma carte marche partout ailleurs. C'est quoi le souci ?")
add(L, "xm", xa("x-1204", "thomaspetit", "Thomas Petit", 44), 171, "neg", REF, "complaint",
    "@acmeshop toujours pas remboursé après 1 mois. Génial. Vraiment. 👏")
add(L, "xm", xa("x-1205", "inesbenali", "Inès Benali", 3400), 84, "pos", None, "praise",
    "@acmeshop franchement le service client au top, échange fait en 2 jours 💯")
add(L, "xm", xa("x-1206", "nicoroux", "Nicolas Roux", 160), 217, "neg", DEL, "complaint",
    "@acmeshop pas du tout content, le colis a été laissé devant l'immeuble sous la pluie. Tout est trempé.")
manon = xa("x-1207", "manonlfv", "Manon Lefèvre", 90)
add(L, "xd", manon, 28, "neg", ACC, "complaint",
    "Bonjour, je n'arrive plus à me connecter à mon compte depuis la mise à jour de l'appli", thread="manon_dm")
add(L, "xd", manon, 49, "neu", ACC, "followup_answer", "c'est manon.lefevre@example.com", thread="manon_dm")
add(L, "xd", manon, 76, "pos", ACC, "followup_answer", "ça marche, merci beaucoup !", thread="manon_dm")
add(L, "xd", xa("x-1208", "antoinefabre", "Antoine Fabre", 300), 196, "neg", OTH, "complaint",
    "Salut, le code promo ETE15 passe pas, il dit expiré alors que c'est écrit valable jusqu'au 31",
    thread="antoine_dm")
add(L, "fc", fa("fb-2201", "Chantal Mercier"), 35, "pos", None, "praise",
    "Les mugs sont magnifiques 😍 j'en ai commandé 4 pour offrir", post="p5")
add(L, "fc", fa("fb-2202", "Philippe Garnier"), 99, "neu", OTH, "question",
    "Elles taillent comment ? Je fais du 42 d'habitude", post="p2")
add(L, "fc", fa("fb-2203", "Sylvie Blanc"), 64, "neg", DEL, "complaint",
    "Ça fait 10 jours que j'attends… 1 à 2 jours de retard vous dites ? 🙃", post="p4")
add(L, "fc", fa("fb-2204", "Karim Haddad"), 148, "pos", None, "praise",
    "Super promo, j'ai pris 3 chemises en lin, merci Acme !", post="p1")
elodie = fa("fb-2205", "Élodie Marchand")
add(L, "fm", elodie, 46, "neg", OTH, "complaint",
    "Bonjour, j'ai reçu un article qui n'est pas le mien (un tapis au lieu d'un plaid). Commande #A10276",
    thread="elodie_msg")
add(L, "fm", elodie, 68, "neu", OTH, "followup_answer", "D'accord, je renvoie le tapis avec l'étiquette. Merci",
    thread="elodie_msg")
add(L, "fm", fa("fb-2206", "Bernard Chevalier"), 209, "neu", CS, "question",
    "Bonjour, quels sont vos horaires de service client le week-end ?", thread="bernard_msg")
add(L, "fm", fa("fb-2207", "Boost Social Média"), 162, "neu", None, "spam",
    "Bonjour, je propose des likes et abonnés pour votre page, 1000 abonnés = 9€ seulement. Intéressé ? 📈",
    thread="boost_msg")

# ---------------------------------------------------------------------------------------------
# German
# ---------------------------------------------------------------------------------------------
L = "de"
add(L, "xm", xa("x-1301", "lukas_schn", "Lukas Schneider", 210), 16, "neg", DEL, "complaint",
    "@acmeshop Paket seit 12 Tagen unterwegs, Sendungsverfolgung zeigt nix neues. Langsam reicht's.")
add(L, "xm", xa("x-1302", "anna_weber", "Anna Weber", 88), 53, "neu", OTH, "question",
    "@acmeshop gibt's die Runner 2 auch in Größe 38,5?")
add(L, "xm", xa("x-1303", "felixwagner", "Felix Wagner", 560), 125, "neg", OTH, "complaint",
    "@acmeshop Zahlung schlägt dauernd fehl (PAY-502). Ist euer Checkout down?")
add(L, "xm", xa("x-1304", "jokrueger", "Johanna Krüger", 130), 143, "pos", None, "praise",
    "@acmeshop Lieferung war mega schnell und die Bettwäsche ist ein Traum 😍 danke!")
add(L, "xm", xa("x-1305", "tobi_hoffmann", "Tobias Hoffmann", 47000), 193, "neg", DAM, "complaint",
    "@acmeshop Nicht zufrieden. Kopfhörer nach einer Woche kaputt, Support antwortet seit 5 Tagen nicht.")
add(L, "xm", xa("x-1306", "sabinewolf", "Sabine Wolf", 70), 228, "neu", REF, "question",
    "@acmeshop wie lange dauert eine Rückerstattung normalerweise? Rücksendung ist seit Montag bei euch")
jonas = xa("x-1307", "jonasrichter", "Jonas Richter", 150)
add(L, "xd", jonas, 32, "neg", REF, "complaint",
    "Hallo, ich wurde doppelt belastet. Zweimal 59,99 € für Bestellung #A10352", thread="jonas_dm")
add(L, "xd", jonas, 50, "neu", REF, "followup_answer", "Kreditkarte, Visa", thread="jonas_dm")
add(L, "xd", jonas, 176, "pos", REF, "followup_answer", "Gutschrift ist da, danke für die schnelle Hilfe!",
    thread="jonas_dm")
add(L, "xd", xa("x-1308", "mehmetyilmaz", "Mehmet Yılmaz", 240), 137, "neu", DEL, "question",
    "Hi, kann ich die Lieferadresse noch ändern? Bestellung ist von heute morgen", thread="mehmet_dm")
add(L, "fc", fa("fb-2301", "Petra Zimmermann"), 22, "neg", DEL, "complaint",
    "Meine Bestellung hängt seit 9 Tagen. Von 1-2 Tagen kann keine Rede sein.", post="p4")
add(L, "fc", fa("fb-2302", "Klaus Schäfer"), 116, "neg", OTH, "complaint",
    "Bezahlen geht nicht, weder App noch Website. Super Timing am letzten Sale-Tag 👍", post="p7")
add(L, "fc", fa("fb-2303", "Monika Braun"), 180, "neu", OTH, "question", "Sind die Handtücher aus Bio-Baumwolle?",
    post="p5")
add(L, "fc", fa("fb-2304", "Stefan Lange"), 71, "neg", None, "troll",
    "Hier gewinnt eh nur der Praktikant 🤡🤡 lächerlicher Laden", post="p6")
ursula = fa("fb-2305", "Ursula Neumann")
add(L, "fm", ursula, 85, "neg", ACC, "complaint",
    "Guten Tag, ich habe ein Problem mit dem Passwort. Die E-Mail zum Zurücksetzen kommt nicht an.",
    thread="ursula_msg")
add(L, "fm", ursula, 104, "neu", ACC, "followup_answer", "Ja, die Adresse ist ursula.neumann@example.org",
    thread="ursula_msg")
add(L, "fm", ursula, 160, "pos", ACC, "followup_answer", "Hat geklappt. Vielen Dank!", thread="ursula_msg")
add(L, "fm", fa("fb-2306", "Dieter Schulz"), 212, "neg", DAM, "complaint",
    "Ware beschädigt angekommen, Lampenschirm zerbrochen. Bestellnummer #A10681. Was nun?", thread="dieter_msg")
add(L, "fm", fa("fb-2307", "Lena Hartmann"), 234, "neu", DEL, "question",
    "Hallo! Liefert ihr auch in die Schweiz? Und fällt da Zoll an?", thread="lena_msg")

# ---------------------------------------------------------------------------------------------
# Portuguese (Brazil and Portugal)
# ---------------------------------------------------------------------------------------------
L = "pt"
add(L, "xm", xa("x-1401", "anasouza", "Ana Souza", 1900), 26, "pos", None, "praise",
    "@acmeshop finalmente entregando no Brasil!! já fiz meu pedido 🇧🇷🎉")
rafael = xa("x-1402", "rafa_oliveira", "Rafael Oliveira", 320)
add(L, "xm", rafael, 67, "neg", DEL, "complaint",
    "@acmeshop meu pedido tá parado na alfândega faz 15 dias e ninguém me responde 😤", thread="rafael_public")
add(L, "xd", rafael, 82, "neu", DEL, "followup_answer", "Oi, o número é #A10480. CPF já cadastrei no site.",
    thread="rafael_dm")
add(L, "xd", rafael, 224, "neg", DEL, "followup_answer", "ainda nada, continua parado na alfândega",
    thread="rafael_dm")
add(L, "xm", xa("x-1403", "bialima", "Beatriz Lima", 95), 129, "neg", OTH, "complaint",
    "@acmeshop não consigo pagar de jeito nenhum, dá erro no pagamento toda hora. vcs tão fora do ar?")
add(L, "xm", xa("x-1404", "gupereira", "Gustavo Pereira", 57), 179, "neg", OTH, "complaint",
    "@acmeshop comprei um fone e veio outro modelo. sério isso? 🙄")
add(L, "xm", xa("x-1405", "maricosta", "Mariana Costa", 410), 220, "neu", OTH, "question",
    "@acmeshop vocês aceitam Pix?")
add(L, "xm", xa("x-1406", "rendaextra_ja", "Renda Extra Já", 31), 91, "neu", None, "spam",
    "@acmeshop ganhe R$500 por dia trabalhando de casa!! link na bio 💸💸💸")
add(L, "xd", xa("x-1407", "joaomartins", "João Martins", 140), 159, "neu", REF, "question",
    "Olá, qual é o prazo de devolução? Comprei umas sapatilhas que ficaram pequenas.", thread="joao_dm")
add(L, "fc", fa("fb-2401", "Fernanda Alves"), 45, "neu", DEL, "question",
    "Quanto tempo demora pra chegar em São Paulo?", post="p3")
add(L, "fc", fa("fb-2402", "Carlos Mendes"), 94, "neg", OTH, "complaint",
    "Frete pro Brasil tá caro demais, 90 reais num tênis? 😬", post="p3")
add(L, "fc", fa("fb-2403", "Patrícia Rocha"), 174, "pos", None, "praise", "Comprei o Runner 2 e amei!! super leve 😍",
    post="p2")
add(L, "fc", fa("fb-2404", "Luiz Barbosa"), 62, "pos", None, "praise",
    "Participando! Amo os produtos de vocês 🙏 Juliana Teixeira", post="p6")
claudia = fa("fb-2405", "Cláudia Ferreira")
add(L, "fm", claudia, 109, "neg", REF, "complaint",
    "Boa tarde, o meu reembolso ainda não caiu na conta. Já passaram 3 semanas.", thread="claudia_msg")
add(L, "fm", claudia, 147, "neu", REF, "followup_answer", "Encomenda #A10245", thread="claudia_msg")
add(L, "fm", fa("fb-2406", "Thiago Ribeiro"), 216, "neu", OTH, "question",
    "opa, vcs vendem capinha pro Galaxy S24?", thread="thiago_msg")

# ---------------------------------------------------------------------------------------------
# Italian
# ---------------------------------------------------------------------------------------------
L = "it"
add(L, "xm", xa("x-1501", "giuliaromano", "Giulia Romano", 780), 21, "pos", None, "praise",
    "@acmeshop ordine arrivato in 2 giorni a Milano, imballaggio perfetto. Bravi! 👏")
add(L, "xm", xa("x-1502", "marcoricci", "Marco Ricci", 130), 75, "neg", REF, "complaint",
    "@acmeshop sono 20 giorni che aspetto il rimborso. Vi ho scritto 4 volte. Nessuna risposta. Complimenti.")
add(L, "xm", xa("x-1503", "frabruno", "Francesca Bruno", 66), 130, "neg", OTH, "complaint",
    "@acmeshop il pagamento non va, errore PAY-502 ogni volta 😡 ma che succede??")
add(L, "xm", xa("x-1504", "ale_conti", "Alessandro Conti", 250), 185, "neu", DEL, "question",
    "@acmeshop spedite anche in Svizzera?")
add(L, "xm", xa("x-1505", "chiaraespo", "Chiara Esposito", 90), 234, "neg", DAM, "complaint",
    "@acmeshop le scarpe sono arrivate con la suola scollata 😤 non è possibile")
matteo = xa("x-1506", "matteogreco", "Matteo Greco", 45)
add(L, "xd", matteo, 40, "neg", ACC, "complaint",
    "Ciao, non riesco ad accedere, mi dice password errata ma l'ho appena cambiata", thread="matteo_dm")
add(L, "xd", matteo, 58, "pos", ACC, "followup_answer", "ok ora funziona, grazie mille!", thread="matteo_dm")
add(L, "xd", xa("x-1507", "elenamarino", "Elena Marino", 300), 198, "neu", OTH, "question",
    "Buongiorno, avete una tabella taglie per le camicie di lino?", thread="elena_dm")
add(L, "fc", fa("fb-2501", "Roberto Gallo"), 10, "neg", OTH, "complaint", "Il codice sconto non funziona 😒",
    post="p1")
add(L, "fc", fa("fb-2502", "Silvia Colombo"), 102, "neu", OTH, "question",
    "Che belle le tazze! Si possono mettere in lavastoviglie?", post="p5")
add(L, "fc", fa("fb-2503", "Paolo De Luca"), 167, "neg", CS, "complaint",
    "Servizio clienti pessimo, mi hanno chiuso la chat in faccia", post="p8")
add(L, "fc", fa("fb-2504", "Federica Leone"), 205, "pos", None, "praise", "Comprate due paia, comodissime ❤️",
    post="p2")
giovanni = fa("fb-2505", "Giovanni Moretti")
add(L, "fm", giovanni, 55, "neg", OTH, "complaint",
    "Salve, ho ricevuto il pacco ma manca un articolo. Ordine #A10330", thread="giovanni_msg")
add(L, "fm", giovanni, 77, "neu", OTH, "followup_answer", "Sì, manca il plaid grigio", thread="giovanni_msg")
add(L, "fm", giovanni, 170, "pos", OTH, "followup_answer", "Arrivato il plaid, grazie!", thread="giovanni_msg")
add(L, "fm", fa("fb-2506", "Anna Lombardi"), 240, "neu", REF, "question",
    "Ciao, posso cambiare taglia senza pagare la spedizione?", thread="annal_msg")

# ---------------------------------------------------------------------------------------------
# Arabic (right to left)
# ---------------------------------------------------------------------------------------------
L = "ar"
mohammed = xa("x-1601", "m_alotaibi", "محمد العتيبي", 2100)
add(L, "xm", mohammed, 24, "neg", DEL, "complaint",
    "@acmeshop طلبي متأخر أسبوعين وما أحد يرد على الإيميلات 😡 وين الطلب؟", thread="mohammed_public")
add(L, "xd", mohammed, 44, "neu", DEL, "followup_answer", "رقم الطلب #A10318 والعنوان الرياض حي النرجس",
    thread="mohammed_dm")
add(L, "xm", xa("x-1602", "sara_alharbi", "سارة الحربي", 540), 65, "neu", DEL, "question",
    "@acmeshop هل يوجد توصيل إلى الإمارات؟ وكم يستغرق؟")
add(L, "xm", xa("x-1603", "ahmed_mansour", "أحمد منصور", 130), 139, "neg", DAM, "complaint",
    "@acmeshop وصلتني السماعات شغالة بس من جهة وحدة 😤 ابغى استبدال")
add(L, "xm", xa("x-1604", "noura_q", "نورة القحطاني", 88000), 152, "pos", None, "praise",
    "@acmeshop شكراً على السرعة في التوصيل 🌹 المنتج رائع والتغليف مرتب")
add(L, "xm", xa("x-1605", "khaled_hsn", "خالد حسن", 60), 202, "neg", REF, "complaint",
    "@acmeshop تم خصم المبلغ مرتين من بطاقتي!! order #A10577 أرجو الرد بسرعة")
add(L, "xm", xa("x-1606", "abu_fahd_77", "ابو فهد", 14), 109, "neg", None, "troll",
    "@acmeshop متجر فاشل وكلكم نصابين 🤡🤡")
layla = xa("x-1607", "layla_yousef", "ليلى يوسف", 200)
add(L, "xd", layla, 73, "neg", ACC, "complaint", "السلام عليكم، نسيت كلمة المرور ورابط الاستعادة لا يعمل",
    thread="layla_dm")
add(L, "xd", layla, 89, "pos", ACC, "followup_answer", "تمام اشتغل الحين، شكراً جزيلاً 🙏", thread="layla_dm")
add(L, "fc", fa("fb-2601", "فاطمة الزهراء"), 37, "neu", DEL, "question", "أخيراً الشحن للإمارات 😍 كم رسوم الشحن؟",
    post="p3")
add(L, "fc", fa("fb-2602", "عمر الشامي"), 100, "neg", DEL, "complaint",
    "طلبي له ١٠ أيام ولسه ما انشحن… يومين تأخير؟ 🙃", post="p4")
add(L, "fc", fa("fb-2603", "هدى سليمان"), 189, "pos", None, "praise", "المفارش جميلة جداً، اشتريت طقمين ❤️",
    post="p5")
add(L, "fc", fa("fb-2604", "يوسف إبراهيم"), 214, "neg", OTH, "complaint",
    "التطبيق الجديد يقفل لحاله لما أضغط على الدفع", post="p7")
maryam = fa("fb-2605", "مريم عبدالله")
add(L, "fm", maryam, 145, "neu", REF, "question", "مرحبا، أبغى أرجع فستان المقاس ما ضبط معي، كيف الطريقة؟",
    thread="maryam_msg")
add(L, "fm", maryam, 164, "pos", REF, "followup_answer", "تمام، شكراً لكم", thread="maryam_msg")
add(L, "fm", fa("fb-2606", "حسن الكعبي"), 230, "neg", DAM, "complaint",
    "وصل الطرد والكرتون مبلول والقميص فيه بقع. ما يصير كذا", thread="hassan_msg")

# ---------------------------------------------------------------------------------------------
# Hindi (Devanagari, often mixed with English words)
# ---------------------------------------------------------------------------------------------
L = "hi"
add(L, "xm", xa("x-1701", "rahul_sharma", "राहुल शर्मा", 650), 29, "neg", DEL, "complaint",
    "@acmeshop मेरा order 10 दिन से 'shipped' दिखा रहा है पर tracking update ही नहीं हो रहा 😤")
add(L, "xm", xa("x-1702", "priyaverma", "प्रिया वर्मा", 120), 87, "neu", OTH, "question",
    "@acmeshop क्या आप भारत में cash on delivery देते हैं?")
add(L, "xm", xa("x-1703", "amitpatel", "अमित पटेल", 40), 154, "pos", None, "praise",
    "@acmeshop बहुत बढ़िया सर्विस! जूते एकदम सही साइज़ के आए 👌")
add(L, "xm", xa("x-1704", "sunita_y", "सुनीता यादव", 75), 204, "neg", REF, "complaint",
    "@acmeshop refund अभी तक नहीं मिला, 3 हफ़्ते हो गए। ये क्या तरीका है?")
add(L, "xm", xa("x-1705", "earnfast_in", "EarnFast India", 5), 167, "neu", None, "spam",
    "@acmeshop 🔥 घर बैठे रोज़ ₹5000 कमाएं! अभी join करें 👉 link bio में 💰💰")
add(L, "xm", xa("x-1706", "vikasgupta", "विकास गुप्ता", 310), 211, "neg", DAM, "complaint",
    "@acmeshop आपका powerbank चार्जिंग में गरम होकर फूल गया, ये तो ख़तरनाक है!! 😡")
neha = xa("x-1707", "neha_singh", "नेहा सिंह", 90)
add(L, "xd", neha, 47, "neu", OTH, "question",
    "नमस्ते, मैंने गलती से दो बार order कर दिया, एक cancel कर सकते हैं?", thread="neha_dm")
add(L, "xd", neha, 61, "neu", OTH, "followup_answer", "order number #A10402 है", thread="neha_dm")
add(L, "xd", neha, 74, "pos", OTH, "followup_answer", "धन्यवाद 🙏 बहुत जल्दी हो गया", thread="neha_dm")
add(L, "fc", fa("fb-2701", "अनिल कुमार"), 51, "pos", None, "praise", "भारत में शिपिंग शुरू, बहुत अच्छी खबर! 🇮🇳",
    post="p3")
add(L, "fc", fa("fb-2702", "पूजा मिश्रा"), 105, "neu", DEL, "question", "दिल्ली में डिलीवरी कितने दिन में होगी?",
    post="p3")
add(L, "fc", fa("fb-2703", "संजय जोशी"), 197, "neg", DEL, "complaint",
    "15 दिन हो गए, पार्सल अब तक नहीं आया। कोई जवाब भी नहीं देता।", post="p4")
add(L, "fc", fa("fb-2704", "कविता नायर"), 219, "pos", None, "praise", "मग बहुत सुंदर हैं ❤️", post="p5")
ramesh = fa("fb-2705", "रमेश चौहान")
add(L, "fm", ramesh, 83, "neg", ACC, "complaint", "मेरे account में login नहीं हो रहा, OTP ही नहीं आ रहा",
    thread="ramesh_msg")
add(L, "fm", ramesh, 98, "pos", ACC, "followup_answer", "हाँ अब आ गया, thanks", thread="ramesh_msg")
add(L, "fm", fa("fb-2706", "दीपिका रेड्डी"), 192, "neg", OTH, "complaint",
    "जो कुर्ता आया उसका रंग फोटो से बिल्कुल अलग है, वापस करना है", thread="deepika_msg")

# ---------------------------------------------------------------------------------------------
# Persian (right to left, zero-width non-joiners inside words)
# ---------------------------------------------------------------------------------------------
L = "fa"
add(L, "xm", xa("x-1801", "ali_rezaei", "علی رضایی", 430), 34, "neg", DEL, "complaint",
    "@acmeshop سفارشم سه هفته‌ست نرسیده و هیچ جوابی هم نمی‌دین 😞")
add(L, "xm", xa("x-1802", "mahsa_rn", "مهسا رحیمی‌نژاد", 1800), 90, "pos", None, "praise",
    "@acmeshop کفش‌ها عالی بودن، دقیقاً سایز خودم 😍 مرسی")
add(L, "xm", xa("x-1803", "reza_ahmadi", "رضا احمدی", 75), 138, "neg", OTH, "complaint",
    "@acmeshop کد تخفیف کار نمی‌کنه، همش میگه نامعتبره")
add(L, "xm", xa("x-1804", "sara_mhmd", "سارا محمدی", 210), 181, "neu", DEL, "question",
    "@acmeshop به آلمان هم ارسال دارید؟")
add(L, "xm", xa("x-1805", "amir_hoseini", "امیر حسینی", 55), 239, "neg", DAM, "complaint",
    "@acmeshop اصلاً راضی نیستم. هدفون بعد از یه هفته خراب شد.")
add(L, "xm", xa("x-1807", "nazanin_salehi", "نازنین صالحی", 95), 11, "neu", DEL, "question",
    "@acmeshop سفارشم کی ارسال میشه؟ #A10265")
niloofar = xa("x-1806", "niloofar_k", "نیلوفر کریمی", 130)
add(L, "xd", niloofar, 99, "neg", REF, "complaint", "سلام، پول دو بار از حسابم کم شده ولی فقط یک سفارش ثبت شده",
    thread="niloofar_dm")
add(L, "xd", niloofar, 142, "neu", REF, "followup_answer", "شماره سفارش #A10491", thread="niloofar_dm")
add(L, "fc", fa("fb-2801", "پریسا جعفری"), 48, "neu", OTH, "question", "این کفش‌ها سایز ۳۷ هم دارن؟", post="p2")
add(L, "fc", fa("fb-2802", "مهدی نوری"), 132, "neg", DEL, "complaint", "دو هفته‌ست منتظرم، اینم از ۱-۲ روز تأخیر شما 🙃",
    post="p4")
add(L, "fc", fa("fb-2803", "زهرا موسوی"), 165, "pos", None, "praise", "ملافه‌ها خیلی قشنگن 😍", post="p5")
add(L, "fc", fa("fb-2804", "حمید صادقی"), 225, "neg", CS, "complaint", "پشتیبانی جواب نمیده، سه روزه پیام دادم",
    post="p8")
farzaneh = fa("fb-2805", "فرزانه اکبری")
add(L, "fm", farzaneh, 56, "neu", REF, "question", "سلام وقت بخیر، چطوری می‌تونم سفارشم رو مرجوع کنم؟",
    thread="farzaneh_msg")
add(L, "fm", farzaneh, 73, "pos", REF, "followup_answer", "ممنون از راهنمایی 🌸", thread="farzaneh_msg")
add(L, "fm", fa("fb-2806", "کاوه بهرامی"), 201, "neg", ACC, "complaint",
    "رمز عبورم رو عوض کردم ولی باز هم نمی‌تونم وارد حسابم بشم", thread="kaveh_msg")

# ---------------------------------------------------------------------------------------------
# Korean
# ---------------------------------------------------------------------------------------------
L = "ko"
add(L, "xm", xa("x-1901", "minjun_kim", "김민준", 320), 31, "neg", DEL, "complaint",
    "@acmeshop 주문한 지 2주 넘었는데 아직도 배송 준비중이에요… 언제 와요? 😭")
add(L, "xm", xa("x-1902", "seoyeon_lee", "이서연", 150000), 69, "pos", None, "praise",
    "@acmeshop 한국 배송 시작 너무 좋아요!! 러너2 색감 실물이 훨씬 예뻐요 💚")
add(L, "xm", xa("x-1903", "jihoon_park", "박지훈", 85), 157, "neg", REF, "complaint",
    "@acmeshop 결제가 두 번 됐어요. 환불 부탁드립니다 ㅠㅠ")
add(L, "xm", xa("x-1904", "yuna_choi", "최유나", 240), 195, "neu", REF, "question",
    "@acmeshop 반품하려면 배송비 제가 내야 하나요?")
add(L, "xm", xa("x-1905", "haeun_jung", "정하은", 60), 237, "neg", DEL, "complaint",
    "@acmeshop 와 진짜 대단하네요 ^^ 3주째 택배 기다리는 중 🙃")
doyun = xa("x-1906", "doyun_kang", "강도윤", 110)
add(L, "xd", doyun, 64, "neg", ACC, "complaint", "안녕하세요, 앱에서 로그인이 안 돼요. 비밀번호 재설정 메일도 안 와요",
    thread="doyun_dm")
add(L, "xd", doyun, 86, "pos", ACC, "followup_answer", "스팸함에 있었네요 ㅎㅎ 해결됐어요 감사합니다!", thread="doyun_dm")
add(L, "xd", xa("x-1907", "jiwoo_yoon", "윤지우", 40), 172, "neu", REF, "question",
    "혹시 사이즈 교환 가능한가요? 260 샀는데 좀 작아요", thread="jiwoo_dm")
add(L, "fc", fa("fb-2901", "오수빈"), 58, "neu", DEL, "question", "한국 배송 드디어!! 관세는 얼마나 나오나요?", post="p3")
add(L, "fc", fa("fb-2902", "서준호"), 85, "neu", OTH, "question", "러너2 정사이즈인가요? 발볼 넓은 편이에요", post="p2")
add(L, "fc", fa("fb-2903", "임채원"), 206, "pos", None, "praise", "머그컵 너무 예뻐요 😍 선물용으로 샀어요", post="p5")
add(L, "fc", fa("fb-2904", "배성민"), 149, "neg", OTH, "complaint", "앱 업데이트하고 나서 계속 튕겨요. 결제 화면에서 멈춤",
    post="p7")
eunbi = fa("fb-2905", "조은비")
add(L, "fm", eunbi, 93, "neg", DAM, "complaint",
    "택배 박스가 찢어져서 왔고 안에 머그컵 하나 깨져 있었어요 😢 주문번호 #A10433", thread="eunbi_msg")
add(L, "fm", eunbi, 107, "neu", DAM, "followup_answer", "사진 보냈어요. 확인 부탁드려요", thread="eunbi_msg")
add(L, "fm", eunbi, 194, "pos", DAM, "followup_answer", "새 제품 받았어요! 빠른 처리 감사합니다 🙏", thread="eunbi_msg")
add(L, "fm", fa("fb-2906", "권태양"), 218, "neu", DEL, "question", "배송지 변경 가능한가요? 이사를 가게 돼서요",
    thread="taeyang_msg")


# ---------------------------------------------------------------------------------------------
# Instagram: comments on the account's posts, and direct messages
# ---------------------------------------------------------------------------------------------
add("en", "ic", ia("ig-5001", "maya.lindholm", "Maya Lindholm"), 12, "neg", DEL, "complaint",
    "Love the pics but my order from two weeks ago still hasn't shipped 😕 #A10512")
add("en", "ic", ia("ig-5002", "drew_outdoors", "Drew Patel"), 30, "neu", OTH, "question",
    "do these come in a wide fit?")
add("en", "ic", ia("ig-5003", "tess.makes", "Tess Morgan"), 44, "pos", None, "praise",
    "obsessed with the linen shirt, bought it in 3 colours 😍")
add("es", "ic", ia("ig-5004", "lucia.vidal", "Lucía Vidal"), 61, "neg", DAM, "complaint",
    "Me llegó la taza rota, qué pena 😞 ¿Qué hago ahora?")
add("fr", "ic", ia("ig-5005", "camille_rx", "Camille Roux"), 77, "neg", REF, "complaint",
    "Toujours pas de remboursement alors que j'ai renvoyé le colis il y a trois semaines…")
add("de", "ic", ia("ig-5006", "jonas.weber", "Jonas Weber"), 90, "neu", DEL, "question",
    "Liefert ihr auch nach Österreich?")
add("pt", "ic", ia("ig-5007", "bia.santos", "Beatriz Santos"), 104, "pos", None, "praise",
    "Chegou super rápido, amei! 💚")
add("it", "ic", ia("ig-5008", "giulia.ferri", "Giulia Ferri"), 118, "neg", CS, "complaint",
    "Vi ho scritto tre volte e nessuno mi risponde. Pessimo servizio.")
add("ko", "ic", ia("ig-5009", "minji.park", "박민지"), 122, "neg", DEL, "complaint",
    "주문한 지 2주가 넘었는데 아직도 배송 준비중이에요. 언제 보내주시나요?")
add("ar", "ic", ia("ig-5010", "omar.saleh", "عمر صالح"), 140, "neu", OTH, "question",
    "هل يتوفر هذا الحذاء بمقاس 45؟")
add("hi", "ic", ia("ig-5011", "rohan.mehta", "रोहन मेहता"), 165, "neg", DAM, "complaint",
    "जूते का सोल पहली बार पहनते ही निकल गया। बहुत निराश हूँ।")
add("en", "ic", ia("ig-5012", "grow.ur.followers", "Grow Your Followers"), 200, "neu", None, "spam",
    "🔥 Get 10k real followers fast! DM us 🔥 instaboost.example")
add("en", "id", ia("ig-5013", "nora.k", "Nora Kim"), 20, "neg", DEL, "complaint",
    "hi, my parcel #A10577 says delivered but it's not here", thread="nora_ig")
add("en", "id", "ig-5013", 25, "neg", DEL, "followup_answer",
    "I checked with my neighbours too, nothing", thread="nora_ig")
add("es", "id", ia("ig-5014", "pablo.rm", "Pablo Ruiz"), 70, "neg", ACC, "complaint",
    "No puedo entrar en mi cuenta desde ayer, me dice que la contraseña es incorrecta", thread="pablo_ig")
add("fr", "id", ia("ig-5015", "ines.b", "Inès Bernard"), 95, "neg", REF, "complaint",
    "Bonjour, j'ai été débitée deux fois pour la commande #A10602", thread="ines_ig")
add("de", "id", ia("ig-5016", "lena.fischer", "Lena Fischer"), 130, "pos", None, "praise",
    "Danke für die schnelle Hilfe gestern, alles angekommen!", thread="lena_ig")
add("it", "id", ia("ig-5017", "marco.gallo", "Marco Gallo"), 150, "neg", DAM, "complaint",
    "Il vaso è arrivato in frantumi, vi mando la foto", thread="marco_ig")
add("fa", "id", ia("ig-5018", "sara.ahmadi", "سارا احمدی"), 172, "neg", DEL, "complaint",
    "سفارشم هنوز نرسیده، لطفاً پیگیری کنید", thread="sara_ig")
add("en", "id", ia("ig-5019", "ken.ito", "Ken Ito"), 210, "neu", OTH, "question",
    "can I change the size on my order before it ships?", thread="ken_ig")

# ---------------------------------------------------------------------------------------------
# X posts that name the shop without tagging it (found by recent search)
# ---------------------------------------------------------------------------------------------
add("en", "xs", xa("x-2901", "quietcommuter", "Sam Rivers", 310), 15, "neg", DEL, "complaint",
    "ordered from Acme three weeks ago and still nothing. tracking hasn't moved since the 3rd")
add("en", "xs", xa("x-2902", "fionaw", "Fiona Walsh", 95), 48, "neg", REF, "complaint",
    "returned my Acme boots a month ago, still no refund. never again")
add("en", "xs", xa("x-2903", "runnerjay", "Jay Okafor", 1200), 66, "pos", None, "praise",
    "the Acme Runner 2 is honestly the comfiest sneaker I own")
add("en", "xs", xa("x-2904", "reykjavik_rob", "Rob Einarsson", 140), 85, "neu", DEL, "question",
    "anyone know if Acme ships to Iceland?")
add("en", "xs", xa("x-2905", "mel_codes", "Mel Turner", 880), 112, "neg", CS, "complaint",
    "akme customer service is a black hole, 4 emails and no answer")
add("es", "xs", xa("x-2906", "andresgz", "Andrés Gómez", 220), 119, "neg", DEL, "complaint",
    "Pedí en Acme hace 10 días y el paquete sigue sin moverse")
add("de", "xs", xa("x-2907", "kathi_m", "Katharina Maier", 60), 126, "neg", DAM, "complaint",
    "Acme Kopfhörer nach zwei Tagen kaputt. Schade.")
add("fr", "xs", xa("x-2909", "hugo_l", "Hugo Lambert", 410), 150, "pos", None, "praise",
    "Livraison Acme reçue en 2 jours, top !")
add("pt", "xs", xa("x-2910", "renata_cs", "Renata Costa", 175), 178, "neg", REF, "complaint",
    "a Acme me cobrou duas vezes e até agora nada de estorno")
add("ko", "xs", xa("x-2911", "jiwoo_k", "김지우", 90), 195, "neu", OTH, "question",
    "acme 앱에서 쿠폰은 어디서 입력하나요?")


# ---------------------------------------------------------------------------------------------
# A few more: spam in other languages, quick questions in DMs
# ---------------------------------------------------------------------------------------------
add("ko", "xd", xa("x-1908", "sns_boost_kr", "SNS마케팅", 22), 60, "neu", None, "spam",
    "안녕하세요! 팔로워 1만명 즉시 늘려드립니다 💯 100% 실제 계정, 카톡 문의주세요", thread="snskr_dm")
add("ar", "xm", xa("x-1608", "trade_master_1", "خبير التداول", 48), 188, "neu", None, "spam",
    "@acmeshop 🔥 اربح 1000$ يومياً من تداول العملات الرقمية بدون خبرة، راسلني الآن 💰💰")
add("de", "fc", fa("fb-2308", "Acme Gewinnspiel Team"), 111, "neu", None, "spam",
    "🎉 Glückwunsch! Sie wurden als Gewinner ausgewählt. Bestätigen Sie Ihre Daten hier: "
    "https://acme-gewinnspiel.example.net/login", post="p6")
add("en", "xd", xa("x-1086", "harrietlong", "Harriet Long", 70), 24, "neu", REF, "question",
    "Hi, do you price match if something goes on sale a week after I bought it?", thread="harriet_dm")
add("en", "xd", xa("x-1087", "tylernash", "Tyler Nash", 150), 226, "neu", OTH, "question",
    "is the Pulse charging case sold separately? lost mine on the train 🙈", thread="tyler_dm")
add("pt", "xd", xa("x-1408", "larissacampos", "Larissa Campos", 260), 98, "neu", OTH, "question",
    "oi! o tamanho 38 de vocês equivale a qual no Brasil?", thread="larissa_dm")


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------
def build() -> list[dict]:
    """Order the posts by arrival, assign ids and thread ids, resolve parents, and sanity-check."""
    order = sorted(range(len(POSTS)), key=lambda i: (POSTS[i]["at_minute"], i))
    ids_by_key: dict[str, str] = {}
    thread_ids: dict[str, str] = {}
    out: list[dict] = []
    for n, i in enumerate(order, start=1):
        p = POSTS[i]
        pid = f"d{n:03d}"
        if p["key"]:
            ids_by_key[p["key"]] = pid
        rec: dict = {
            "id": pid,
            "channel": p["channel"],
            "author": dict(AUTHORS[p["author"]]),
            "text": p["text"],
            "lang": p["lang"],
            "at_minute": p["at_minute"],
        }
        if p["thread"]:
            rec["thread"] = thread_ids.setdefault(p["thread"], f"t{len(thread_ids) + 1}")
        if p["post"]:
            rec["post"] = p["post"]
        if p["parent"]:
            if p["parent"] not in ids_by_key:
                raise SystemExit(f"parent {p['parent']!r} of {p['text'][:40]!r} is not an earlier post")
            rec["parent"] = ids_by_key[p["parent"]]
        rec["expect"] = p["expect"]
        rec["category"] = p["category"]
        rec["kind"] = p["kind"]
        if rec["channel"] == "x.mention" and ("@acmeshop" not in rec["text"] or len(rec["text"]) > 280):
            raise SystemExit(f"bad X mention: {rec['text']!r}")
        if rec["channel"] == "x.search" and ("@acmeshop" in rec["text"].lower()
                                             or not re.search(r"\b(acme|akme)\b", rec["text"], re.I)):
            raise SystemExit(f"an untagged X post must name the shop without tagging it: {rec['text']!r}")
        out.append(rec)
    return out


def render(posts: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)
    page = json.dumps(PAGE_POSTS, ensure_ascii=False, indent=2) + "\n"
    return jsonl, page


def stats(posts: list[dict]) -> str:
    """Markdown tables of the counts (pasted into the data README)."""
    chans = ["x.mention", "x.dm", "facebook.comment", "facebook.messenger", "instagram.comment", "instagram.dm",
             "x.search"]

    def table(field: str, values: list) -> list[str]:
        rows = [f"| {field} | " + " | ".join(chans) + " | total |", "|---" * (len(chans) + 2) + "|"]
        for v in values:
            counts = [sum(1 for p in posts if p[field] == v and p["channel"] == c) for c in chans]
            label = "null" if v is None else v
            rows.append(f"| {label} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
        return rows

    def ordered(field: str) -> list:
        return [k for k, _ in Counter(p[field] for p in posts).most_common()]

    total = [sum(1 for p in posts if p["channel"] == c) for c in chans]
    lines = [f"Total: {len(posts)} posts ("
             + ", ".join(f"{c} {n}" for c, n in zip(chans, total)) + ").", ""]
    for field in ("lang", "expect", "category", "kind"):
        lines += table(field, ordered(field)) + [""]
    threads = Counter(p["thread"] for p in posts if "thread" in p)
    lines.append(f"Threads: {len(threads)} ({sum(1 for v in threads.values() if v > 1)} with two or more posts, "
                 f"{sum(1 for v in threads.values() if v > 2)} with three or more); "
                 f"replies with a parent: {sum(1 for p in posts if 'parent' in p)}; "
                 f"distinct authors: {len({p['author']['id'] for p in posts})}.")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    ap.add_argument("--stats", action="store_true", help="print counts")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default: social_care/demo/data)")
    args = ap.parse_args()
    posts = build()
    jsonl, page = render(posts)
    if args.stats:
        print(stats(posts))
        return 0
    targets = {args.out / "posts.jsonl": jsonl, args.out / "page_posts.json": page}
    if args.check:
        stale = [str(p) for p, text in targets.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(posts)} posts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
