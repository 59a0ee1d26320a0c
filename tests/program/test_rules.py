import pytest

from program.rules import business_number_check_digit, business_number_valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("220-81-62517", True),  # check digit worked by hand: weights 1,3,7,1,3,7,1,3,5
        ("220-81-62518", False),
        ("2208162517", False),  # must be formatted
        ("220-81-6251", False),
    ],
)
def test_business_number(number, valid):
    assert business_number_valid(number) is valid


def test_check_digit_by_hand():
    # 2*1+2*3+0*7+8*1+1*3+6*7+2*1+5*3+1*5 = 83; + floor(1*5/10)=0 → 83; (10 - 3) % 10 = 7
    assert business_number_check_digit("220816251") == 7
